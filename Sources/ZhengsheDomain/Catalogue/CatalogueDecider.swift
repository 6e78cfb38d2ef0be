/// The rules of a district's lists (两份清单) and admissions (准入): a decider over ``CatalogueState``.
/// The district bureau keeps the lists and decides admission; governments of the district request it.
public struct CatalogueDecider: Decider {
    /// The district (6 digits) and year of the stream.
    public let district: PartyCode
    public let year: Int

    public init(district: PartyCode, year: Int) {
        self.district = district
        self.year = year
    }

    public init(_ id: CatalogueID) {
        self.init(district: id.district, year: id.year)
    }

    public var initialState: CatalogueState { CatalogueState() }

    /// The lists' rules read nothing outside their own stream.
    public func needsLookups(_ filing: CatalogueEvent) -> Bool { false }

    public func evolve(_ state: CatalogueState, _ event: CatalogueEvent) -> CatalogueState {
        var state = state
        switch event {
        case .listItemPublished(let e):
            switch e.list {
            case .lawfulDuty: state.lawfulDuties[e.code] = e
            case .assistance: state.assistanceItems[e.code] = e
            }
        case .listItemWithdrawn(let e):
            switch e.list {
            case .lawfulDuty: state.lawfulDuties[e.code] = nil
            case .assistance: state.assistanceItems[e.code] = nil
            }
        case .admissionRequested(let e):
            state.admissions[e.admissionId] = .init(request: e, status: .requested)
        case .admissionGranted(let e):
            state.admissions[e.admissionId]?.status = .granted
            state.admissions[e.admissionId]?.validFrom = e.validFrom
            state.admissions[e.admissionId]?.validUntil = e.validUntil
        case .admissionRejected(let e):
            state.admissions[e.admissionId]?.status = .rejected
        case .admissionRevoked(let e):
            state.admissions[e.admissionId]?.status = .revoked
        }
        return state
    }

    /// Checks one filing against the lists and returns the events to record.
    public func decide(_ filing: CatalogueEvent, _ context: DecisionContext<Void>, _ state: CatalogueState) throws(DomainError) -> [CatalogueEvent] {
        switch filing {
        case .admissionRequested(let e):
            return try requestAdmission(e, by: context.actor, state)
        case .listItemPublished(let e):
            try requireBureau(context.actor)
            try requireText(e.code, "/data/code")
            try requireText(e.title, "/data/title")
            guard state.items(on: e.list)[e.code] == nil else {
                throw DomainError(rule: "unique-code", field: "/data/code", "item \(e.code) is already on the \(e.list.rawValue) list (事项编号已在清单中)")
            }
            return [filing]
        case .listItemWithdrawn(let e):
            try requireBureau(context.actor)
            guard state.items(on: e.list)[e.code] != nil else {
                throw DomainError(.notFound, rule: "item-on-list", field: "/data/code", "item \(e.code) is not on the \(e.list.rawValue) list (清单中无此事项)")
            }
            try requireText(e.reason, "/data/reason")
            return [filing]
        case .admissionGranted(let e):
            try requireBureau(context.actor)
            try requireStatus(state, e.admissionId, .requested)
            guard e.validFrom <= e.validUntil else {
                throw DomainError(rule: "validity-period", field: "/data/validUntil", "the validity period ends before it starts (准入有效期)")
            }
            return [filing]
        case .admissionRejected(let e):
            try requireBureau(context.actor)
            try requireStatus(state, e.admissionId, .requested)
            try requireText(e.reason, "/data/reason")
            return [filing]
        case .admissionRevoked(let e):
            try requireBureau(context.actor)
            try requireStatus(state, e.admissionId, .granted)
            try requireText(e.reason, "/data/reason")
            return [filing]
        }
    }

    /// A government of the district asks to push work into its communities; the service records which.
    private func requestAdmission(_ e: AdmissionRequested, by actor: Actor, _ state: CatalogueState) throws(DomainError) -> [CatalogueEvent] {
        guard actor.role == .government, let party = actor.party, district.contains(party) else {
            throw DomainError(.forbidden, rule: "admission-requested-by-government", field: "/type",
                              "only a street/town government (街道/镇) of district \(district) may request admission (准入申请)")
        }
        try requireText(e.admissionId, "/data/admissionId")
        try requireText(e.department, "/data/department")
        try requireText(e.title, "/data/title")
        guard state.admissions[e.admissionId] == nil else {
            throw DomainError(rule: "unique-id", field: "/data/admissionId", "admission \(e.admissionId) was already requested (准入申请编号重复)")
        }
        var filed = e
        filed.requestedBy = party.rawValue
        return [.admissionRequested(filed)]
    }

    private func requireBureau(_ actor: Actor) throws(DomainError) {
        guard actor.role == .district, actor.party == district else {
            throw DomainError(.forbidden, rule: "district-keeps-lists", field: "/type",
                              "only the civil-affairs bureau (民政局) of district \(district) keeps its lists and decides admission")
        }
    }

    private func requireStatus(_ state: CatalogueState, _ id: String, _ status: CatalogueState.Admission.Status) throws(DomainError) {
        guard let admission = state.admissions[id] else {
            throw DomainError(.notFound, rule: "admission-exists", field: "/data/admissionId", "no admission request \(id) (无此准入申请)")
        }
        guard admission.status == status else {
            throw DomainError(rule: "admission-status", field: "/data/admissionId",
                              "admission \(id) is \(admission.status.rawValue), not \(status.rawValue) (准入状态不符)")
        }
    }
}
