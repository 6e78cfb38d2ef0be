import Testing
import ZhengsheDomain

@Suite struct PartyCodeTests {
    @Test func levelsFollowTheNumberOfDigits() throws {
        #expect(PartyCode("320412")?.level == .district)
        #expect(PartyCode("320412001")?.level == .government)
        #expect(PartyCode("320412001001")?.level == .committee)
    }

    @Test(arguments: ["", "32041", "3204120011", "32041200100a", "３２０４１２", "3204120010011"])
    func rejectsWhatIsNotACode(_ value: String) {
        #expect(PartyCode(value) == nil)
    }

    @Test func aCommitteeLiesInsideItsStreetAndDistrict() throws {
        let committee = try #require(PartyCode("320412001001"))
        let street = try #require(PartyCode("320412001"))
        let otherStreet = try #require(PartyCode("320412002"))
        #expect(committee.government == street)
        #expect(committee.district == PartyCode("320412"))
        #expect(street.contains(committee))
        #expect(!otherStreet.contains(committee))
        #expect(street.government == nil)
    }
}
