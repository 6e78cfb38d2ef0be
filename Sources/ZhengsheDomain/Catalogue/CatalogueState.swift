/// What the lists hold after their events.
public struct CatalogueState: Hashable, Sendable {
    public struct Admission: Hashable, Sendable {
        public enum Status: String, Hashable, Sendable { case requested, granted, rejected, revoked }
        public var request: AdmissionRequested
        public var status: Status
        public var validFrom: LocalDate?
        public var validUntil: LocalDate?

        /// Admitted and in force on `date`.
        public func isInForce(on date: LocalDate) -> Bool {
            guard status == .granted, let from = validFrom, let until = validUntil else { return false }
            return from <= date && date <= until
        }
    }

    public var lawfulDuties: [String: ListItemPublished] = [:]
    public var assistanceItems: [String: ListItemPublished] = [:]
    public var admissions: [String: Admission] = [:]

    public init() {}

    public func items(on list: DutyList) -> [String: ListItemPublished] {
        list == .lawfulDuty ? lawfulDuties : assistanceItems
    }
}
