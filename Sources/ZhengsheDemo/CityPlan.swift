import Foundation
public import ZhengsheDomain

/// The shape of a synthetic city: districts, their streets and towns, their committees.
public struct CityPlan: Sendable {
    public var districts: Int
    public var streetsPerDistrict: Int
    public var committeesPerStreet: Int
    public var year: Int
    public var seed: UInt64

    /// - Parameter streetsPerDistrict: when nil, about √(committees per district) / 2.5 (a district
    ///   of 250 committees has 6 streets of 42). At most 99 streets, at most 500 committees a street.
    public init(committees: Int = 1000, districts: Int = 4, streetsPerDistrict: Int? = nil, year: Int, seed: UInt64 = 2014) {
        self.districts = max(1, min(districts, 9))
        self.year = year
        self.seed = seed
        let perDistrict = max(1, (committees + self.districts - 1) / self.districts)
        self.streetsPerDistrict = max(1, min(99, streetsPerDistrict ?? Int(Double(perDistrict).squareRoot() / 2.5)))
        self.committeesPerStreet = max(1, min(500, (perDistrict + self.streetsPerDistrict - 1) / self.streetsPerDistrict))
    }

    /// 常州 (3204) districts: 天宁 02, 钟楼 04, 新北 11, 武进 12, 金坛 13, 溧阳 81, …
    static let districtSuffixes = ["02", "04", "11", "12", "13", "81", "21", "22", "23"]

    public var districtCodes: [PartyCode] {
        (0..<districts).map { PartyCode("3204" + Self.districtSuffixes[$0])! }
    }

    public func streets(in district: PartyCode) -> [PartyCode] {
        (1...streetsPerDistrict).map { PartyCode(district.rawValue + String(format: "%03d", $0))! }
    }

    /// Residents' committees take 001–199, village committees 200–399, as the statistical codes do:
    /// every third is a village. Past 199 residents' (or 399 villages') the numbers run on from
    /// 400, so that every committee of a street has a code of its own.
    public func committees(in street: PartyCode) -> [PartyCode] {
        var overflow = 400
        return (0..<committeesPerStreet).map { n in
            var number = n % 3 == 2 ? 200 + n / 3 : 1 + n - (n + 1) / 3
            if number > (n % 3 == 2 ? 399 : 199) {
                number = overflow
                overflow += 1
            }
            return PartyCode(street.rawValue + String(format: "%03d", number))!
        }
    }

    public var committeeCount: Int { districts * streetsPerDistrict * committeesPerStreet }
}
