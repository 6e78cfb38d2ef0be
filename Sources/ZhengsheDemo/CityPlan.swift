import Foundation
public import ZhengsheDomain

/// The shape of a synthetic city: districts, their streets and towns, their committees.
public struct CityPlan: Sendable {
    public var districts: Int
    public var streetsPerDistrict: Int
    public var committeesPerStreet: Int
    public var year: Int
    public var seed: UInt64

    public init(committees: Int = 1000, districts: Int = 4, year: Int, seed: UInt64 = 2014) {
        self.districts = max(1, min(districts, 9))
        self.year = year
        self.seed = seed
        let perDistrict = max(1, (committees + self.districts - 1) / self.districts)
        self.streetsPerDistrict = max(1, min(99, Int(Double(perDistrict).squareRoot() / 2.5)))
        self.committeesPerStreet = max(1, (perDistrict + streetsPerDistrict - 1) / streetsPerDistrict)
    }

    /// 常州 (3204) districts: 天宁 02, 钟楼 04, 新北 11, 武进 12, 金坛 13, 溧阳 81, …
    static let districtSuffixes = ["02", "04", "11", "12", "13", "81", "21", "22", "23"]

    public var districtCodes: [PartyCode] {
        (0..<districts).map { PartyCode("3204" + Self.districtSuffixes[$0])! }
    }

    public func streets(in district: PartyCode) -> [PartyCode] {
        (1...streetsPerDistrict).map { PartyCode(district.rawValue + String(format: "%03d", $0))! }
    }

    /// Residents' committees take 001–199, village committees 200–399, as the statistical codes do.
    public func committees(in street: PartyCode) -> [PartyCode] {
        (0..<committeesPerStreet).map { n in
            let number = n % 3 == 2 ? 200 + n / 3 : 1 + n
            return PartyCode(street.rawValue + String(format: "%03d", min(number, 399)))!
        }
    }

    public var committeeCount: Int { districts * streetsPerDistrict * committeesPerStreet }
}
