import ZhengsheDomain
import ZhengsheStore

/// An agreement's id: its committee's 12-digit code and the year, `320412001001-2026`.
/// The id alone says who may see the agreement, before anything is read.
struct AgreementID: Hashable, Sendable, CustomStringConvertible {
    let committee: PartyCode
    let year: Int

    init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let committee = PartyCode(String(parts[0])), committee.level == .committee,
              parts[1].count == 4, let year = Int(parts[1])
        else { return nil }
        self.committee = committee
        self.year = year
    }

    var government: PartyCode { committee.government! }
    var district: PartyCode { committee.district }
    var description: String { "\(committee)-\(year)" }
    var stream: StreamID { try! StreamID(category: "agreement", id: description) }
    var catalogue: StreamID { try! StreamID(category: "catalogue", id: "\(district)-\(year)") }

    /// Whether `actor` may see this agreement (and so file on it, as far as the rules allow).
    func isVisible(to actor: Actor, evaluatorYear: Int?) -> Bool {
        switch actor.role {
        case .admin: true
        case .government: actor.party == government
        case .committee: actor.party == committee
        case .district: actor.party == district
        case .evaluator: actor.party == district && evaluatorYear == year
        }
    }
}
