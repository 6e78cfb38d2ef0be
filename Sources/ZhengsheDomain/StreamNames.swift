/// An agreement's id: its committee's 12-digit code and the year, `320412001001-2026`.
/// One agreement per committee and year holds by construction, and the id alone says who may see it.
public struct AgreementID: Hashable, Sendable, CustomStringConvertible {
    public let committee: PartyCode
    public let year: Int

    public init?(committee: PartyCode, year: Int) {
        guard committee.level == .committee, SharedRules.plausibleYears.contains(year) else { return nil }
        self.committee = committee
        self.year = year
    }

    /// Parses `320412001001-2026`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let committee = PartyCode(String(parts[0])), parts[1].count == 4, let year = Int(parts[1]) else { return nil }
        self.init(committee: committee, year: year)
    }

    public var government: PartyCode { committee.government! }
    public var district: PartyCode { committee.district }
    public var description: String { "\(committee)-\(year)" }

    /// The agreement's stream: `agreement-320412001001-2026`.
    public var stream: String { "agreement-\(self)" }
    /// The district's lists for the agreement's year.
    public var lists: CatalogueID { CatalogueID(district: district, year: year)! }
}

/// A district's lists for a year (两份清单): `320412` and `2026`.
public struct CatalogueID: Hashable, Sendable, CustomStringConvertible {
    public let district: PartyCode
    public let year: Int

    public init?(district: PartyCode, year: Int) {
        guard district.level == .district, SharedRules.plausibleYears.contains(year) else { return nil }
        self.district = district
        self.year = year
    }

    public var description: String { "\(district)-\(year)" }

    /// The lists' stream: `catalogue-320412-2026`.
    public var stream: String { "catalogue-\(self)" }
}

/// A district's evaluation of a year (双向评估): `320412` and `2026`.
public struct EvaluationID: Hashable, Sendable, CustomStringConvertible {
    public let district: PartyCode
    public let year: Int

    public init?(district: PartyCode, year: Int) {
        guard district.level == .district, SharedRules.plausibleYears.contains(year) else { return nil }
        self.district = district
        self.year = year
    }

    public var description: String { "\(district)-\(year)" }

    /// The evaluation's stream: `evaluation-320412-2026`.
    public var stream: String { "evaluation-\(self)" }
}
