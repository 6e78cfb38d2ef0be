/// The text of an agreement (协议书) as one version: what each side takes on.
public struct AgreementTerms: Hashable, Sendable, Codable {
    /// The assistance items (协助事项) the committee takes on.
    public var items: [AssistanceItem]
    /// Codes of the lawful duties (依法履职事项) the agreement refers to.
    public var lawfulDuties: [String]
    /// What the government commits to: guidance, training, working conditions.
    public var governmentCommitments: [GovernmentCommitment]
    /// When the funding is paid (拨付批次).
    public var installments: [Installment]
    /// Breach clauses for each side (违约责任).
    public var breachClauses: [BreachClause]

    public init(
        items: [AssistanceItem], lawfulDuties: [String] = [], governmentCommitments: [GovernmentCommitment] = [],
        installments: [Installment], breachClauses: [BreachClause]
    ) {
        self.items = items
        self.lawfulDuties = lawfulDuties
        self.governmentCommitments = governmentCommitments
        self.installments = installments
        self.breachClauses = breachClauses
    }

    /// Funding promised across all items, in fen.
    public var fundingTotal: Int64 { items.reduce(0) { $0 + $1.funding } }
    /// Funding scheduled across all installments, in fen.
    public var scheduledTotal: Int64 { installments.reduce(0) { $0 + $1.amount } }

    /// The items that neither bring funding nor name working conditions (费随事转 is not met).
    public var unfundedItems: [(index: Int, item: AssistanceItem)] {
        items.enumerated().filter { $0.element.funding == 0 && ($0.element.workingConditions ?? "").allSatisfy(\.isWhitespace) }
            .map { ($0.offset, $0.element) }
    }

    /// What would stop these terms being signed (签署前须解决), each with the field at fault under
    /// `base` (where the terms sit in the filing): every unfunded item, and installments that do not
    /// add up to the items' funding. Empty when they can be signed.
    public func signingBlockers(at base: String) -> [DomainError] {
        var blockers = unfundedItems.map { index, item in
            DomainError(rule: "funding-follows-task", field: "\(base)/items/\(index)/funding",
                        "费随事转: item \(item.itemId) has neither funding nor working conditions, and cannot be signed so (无经费或工作条件的事项不能签署)")
        }
        if scheduledTotal != fundingTotal {
            blockers.append(DomainError(rule: "schedule-matches-funding", field: "\(base)/installments",
                                        "the installments (拨付批次) add up to \(scheduledTotal) fen, the items' funding to \(fundingTotal) fen: they must agree before signing (拨付合计须等于经费合计)"))
        }
        return blockers
    }

    public func item(_ id: String) -> AssistanceItem? { items.first { $0.itemId == id } }
    public func installment(_ id: String) -> Installment? { installments.first { $0.installmentId == id } }
    public func clause(_ id: String) -> BreachClause? { breachClauses.first { $0.clauseId == id } }
}

/// One assistance item (协助事项) of the agreement.
public struct AssistanceItem: Hashable, Sendable, Codable {
    public enum Frequency: String, Hashable, Sendable, Codable { case monthly, quarterly, halfYearly, annual, once }

    /// Stable within the agreement; reports and claims refer to it.
    public var itemId: String
    /// The code on the district's assistance list, or the admission id of an admitted task.
    public var code: String
    public var title: String
    public var requirements: String?
    public var indicators: [Indicator]
    public var frequency: Frequency
    /// Explicit due dates; for periodic items, the last day of each period when absent.
    public var dueDates: [LocalDate]?
    /// Funding for this item in fen (费随事转).
    public var funding: Int64
    /// Working conditions provided instead of (or beside) money, e.g. an office, equipment.
    public var workingConditions: String?

    public init(itemId: String, code: String, title: String, requirements: String? = nil, indicators: [Indicator], frequency: Frequency, dueDates: [LocalDate]? = nil, funding: Int64, workingConditions: String? = nil) {
        self.itemId = itemId
        self.code = code
        self.title = title
        self.requirements = requirements
        self.indicators = indicators
        self.frequency = frequency
        self.dueDates = dueDates
        self.funding = funding
        self.workingConditions = workingConditions
    }
}

public struct Indicator: Hashable, Sendable, Codable {
    public var name: String
    public var target: Double
    public var unit: String
    /// The period the target is for: `month`, `quarter`, `year`.
    public var period: String

    public init(name: String, target: Double, unit: String, period: String) {
        self.name = name
        self.target = target
        self.unit = unit
        self.period = period
    }
}

public struct GovernmentCommitment: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable { case guidance, training, workingConditions }
    public var commitmentId: String
    public var kind: Kind
    public var description: String
    /// The item it serves, if one.
    public var itemId: String?

    public init(commitmentId: String, kind: Kind, description: String, itemId: String? = nil) {
        self.commitmentId = commitmentId
        self.kind = kind
        self.description = description
        self.itemId = itemId
    }
}

public struct Installment: Hashable, Sendable, Codable {
    public var installmentId: String
    public var dueDate: LocalDate
    /// Amount in fen.
    public var amount: Int64

    public init(installmentId: String, dueDate: LocalDate, amount: Int64) {
        self.installmentId = installmentId
        self.dueDate = dueDate
        self.amount = amount
    }
}

public struct BreachClause: Hashable, Sendable, Codable {
    public var clauseId: String
    /// The side that breaches when this clause applies.
    public var party: Side
    /// What counts as breach.
    public var description: String
    /// The largest deduction a settlement may impose, in fen.
    public var deductionCap: Int64
    /// Days given to rectify (整改期限), if the remedy includes rectification.
    public var rectificationDays: Int?

    public init(clauseId: String, party: Side, description: String, deductionCap: Int64, rectificationDays: Int? = nil) {
        self.clauseId = clauseId
        self.party = party
        self.description = description
        self.deductionCap = deductionCap
        self.rectificationDays = rectificationDays
    }
}

/// The two sides of an agreement.
public enum Side: String, Hashable, Sendable, Codable, CaseIterable {
    /// The street or town government (街道/镇).
    case government
    /// The residents' or village committee (居委会/村委会).
    case committee

    /// The side a role files for, if it is one of the two.
    public init?(role: Actor.Role) {
        switch role {
        case .government: self = .government
        case .committee: self = .committee
        case .district, .evaluator, .admin: return nil
        }
    }

    public var other: Side { self == .government ? .committee : .government }
    public var chinese: String { self == .government ? "街道/镇" : "居(村)委会" }
}
