/// Who files: a token's holder, with the role and party code the token is bound to.
public struct Actor: Hashable, Sendable {
    public enum Role: String, Hashable, Sendable, Codable, CaseIterable {
        /// A street or town government (街道/镇), 9-digit party code.
        case government
        /// A residents' or village committee (居委会/村委会), 12-digit party code.
        case committee
        /// A district civil-affairs bureau (区民政局), 6-digit party code.
        case district
        /// An evaluator for a district and year (评估方), 6-digit party code.
        case evaluator
        /// Operations: tokens and maintenance, no filing.
        case admin
    }

    public var name: String
    public var role: Role
    public var party: PartyCode?
    /// The year an evaluator's token is bound to; nil for every other role.
    public var year: Int?

    public init(name: String, role: Role, party: PartyCode?, year: Int? = nil) {
        self.name = name
        self.role = role
        self.party = party
        self.year = year
    }
}
