/// A district's two lists for one year (两份清单), and the admission of tasks (社区工作准入).
/// One stream per district and year: `catalogue-<district>-<year>`. Filed by the district bureau,
/// except admission requests, which governments file.
public enum CatalogueEvent: Hashable, Sendable {
    case listItemPublished(ListItemPublished)
    case listItemWithdrawn(ListItemWithdrawn)
    case admissionRequested(AdmissionRequested)
    case admissionGranted(AdmissionGranted)
    case admissionRejected(AdmissionRejected)
    case admissionRevoked(AdmissionRevoked)
}

/// Which of the two lists an item is on.
public enum DutyList: String, Hashable, Sendable, Codable {
    /// 依法履职事项: what the committee does by law as self-government.
    case lawfulDuty
    /// 协助政府工作事项: what it helps the government with.
    case assistance
}

public struct ListItemPublished: Hashable, Sendable, Codable {
    public var list: DutyList
    /// The item's code on the list, e.g. `A07`; stable for the year.
    public var code: String
    public var title: String
    public var description: String?
    public var legalBasis: String?
    public var suggestedIndicators: [String]?

    public init(list: DutyList, code: String, title: String, description: String? = nil, legalBasis: String? = nil, suggestedIndicators: [String]? = nil) {
        self.list = list
        self.code = code
        self.title = title
        self.description = description
        self.legalBasis = legalBasis
        self.suggestedIndicators = suggestedIndicators
    }
}

public struct ListItemWithdrawn: Hashable, Sendable, Codable {
    public var list: DutyList
    public var code: String
    public var reason: String

    public init(list: DutyList, code: String, reason: String) {
        self.list = list
        self.code = code
        self.reason = reason
    }
}

public struct AdmissionRequested: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable {
        case task, ledger, plaque, inspection, survey, certificate
    }
    public var admissionId: String
    /// The department that wants to push the work into communities.
    public var department: String
    public var kind: Kind
    public var title: String
    public var description: String?
    /// Filled by the service: the government that filed the request.
    public var requestedBy: String?

    public init(admissionId: String, department: String, kind: Kind, title: String, description: String? = nil, requestedBy: String? = nil) {
        self.admissionId = admissionId
        self.department = department
        self.kind = kind
        self.title = title
        self.description = description
        self.requestedBy = requestedBy
    }
}

public struct AdmissionGranted: Hashable, Sendable, Codable {
    public var admissionId: String
    public var validFrom: LocalDate
    public var validUntil: LocalDate

    public init(admissionId: String, validFrom: LocalDate, validUntil: LocalDate) {
        self.admissionId = admissionId
        self.validFrom = validFrom
        self.validUntil = validUntil
    }
}

public struct AdmissionRejected: Hashable, Sendable, Codable {
    public var admissionId: String
    public var reason: String

    public init(admissionId: String, reason: String) {
        self.admissionId = admissionId
        self.reason = reason
    }
}

public struct AdmissionRevoked: Hashable, Sendable, Codable {
    public var admissionId: String
    public var reason: String

    public init(admissionId: String, reason: String) {
        self.admissionId = admissionId
        self.reason = reason
    }
}
