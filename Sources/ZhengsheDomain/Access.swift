/// Who may see what. Filing rights are the deciders' (each side files only its own events); these
/// rules decide whether a party may see a stream at all, before anything is read. A party that may
/// not see something is told it does not exist.
public enum Access {
    /// Whether `actor` may see the agreement (and so file on it, as far as its rules allow): its own
    /// government and committee, the district's bureau, an evaluator of its district and year, admin.
    public static func canSee(_ agreement: AgreementID, _ actor: Actor) -> Bool {
        switch actor.role {
        case .admin: true
        case .government: actor.party == agreement.government
        case .committee: actor.party == agreement.committee
        case .district: actor.party == agreement.district
        case .evaluator: actor.party == agreement.district && actor.year == agreement.year
        }
    }

    /// Whether `actor` may see (and file on) a district's lists: every party inside the district, admin.
    public static func canSee(_ lists: CatalogueID, _ actor: Actor) -> Bool {
        if actor.role == .admin { return true }
        guard let party = actor.party else { return false }
        return lists.district.contains(party)
    }

    /// Whether `actor` may see everything of a street or town in `year`: its own government, the
    /// district's bureau, an evaluator of the district and year, admin.
    public static func canSeeStreet(_ government: PartyCode, year: Int, _ actor: Actor) -> Bool {
        switch actor.role {
        case .admin: true
        case .government: actor.party == government
        case .committee: false
        case .district: actor.party == government.district
        case .evaluator: actor.party == government.district && actor.year == year
        }
    }

    /// Whether `actor` may see everything of a district in `year`: its bureau, an evaluator of the
    /// district and year, admin.
    public static func canSeeDistrict(_ district: PartyCode, year: Int, _ actor: Actor) -> Bool {
        switch actor.role {
        case .admin: true
        case .government, .committee: false
        case .district: actor.party == district
        case .evaluator: actor.party == district && actor.year == year
        }
    }

    /// Whether `actor` may file on a district's evaluation of a year (within its rules: each side
    /// scores the other, the third party surveys, the bureau runs it): every government and
    /// committee of the district, its bureau, an evaluator of the district and year.
    public static func canFile(_ evaluation: EvaluationID, _ actor: Actor) -> Bool {
        switch actor.role {
        case .admin: false
        case .evaluator: actor.party == evaluation.district && actor.year == evaluation.year
        case .government, .committee, .district: actor.party.map { evaluation.district.contains($0) } ?? false
        }
    }

    /// Whether `actor` may read a district's whole evaluation, every side's scores included: its
    /// bureau, an evaluator of the district and year, admin.
    public static func canSee(_ evaluation: EvaluationID, _ actor: Actor) -> Bool {
        canSeeDistrict(evaluation.district, year: evaluation.year, actor)
    }
}
