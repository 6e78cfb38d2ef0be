/// The lists stream's coding table: one row per event type (type name, body, case, and the
/// fields the service fills in). A new event type is a case, a body struct and a row here.
extension CatalogueEvent: StreamEvent {
    public static let coding = EventCoding<CatalogueEvent>([
        .init("ListItemPublished", ListItemPublished.self, embed: { .listItemPublished($0) }, extract: { if case .listItemPublished(let e) = $0 { e } else { nil } }),
        .init("ListItemWithdrawn", ListItemWithdrawn.self, embed: { .listItemWithdrawn($0) }, extract: { if case .listItemWithdrawn(let e) = $0 { e } else { nil } }),
        .init("AdmissionRequested", AdmissionRequested.self, readOnly: ["requestedBy"], embed: { .admissionRequested($0) }, extract: { if case .admissionRequested(let e) = $0 { e } else { nil } }),
        .init("AdmissionGranted", AdmissionGranted.self, embed: { .admissionGranted($0) }, extract: { if case .admissionGranted(let e) = $0 { e } else { nil } }),
        .init("AdmissionRejected", AdmissionRejected.self, embed: { .admissionRejected($0) }, extract: { if case .admissionRejected(let e) = $0 { e } else { nil } }),
        .init("AdmissionRevoked", AdmissionRevoked.self, embed: { .admissionRevoked($0) }, extract: { if case .admissionRevoked(let e) = $0 { e } else { nil } }),
    ])
}
