public import Foundation
public import ZhengsheDomain
public import ZhengsheProjections
import ZhengsheStore

/// The district's breach claims (违约申诉台账) and refused tasks (拒绝摊派事项): for its bureau, its
/// evaluators of the year, admin.
public struct DistrictRegisters: Sendable {
    let registers: Registers
    let readSide: ReadSide
    let clock: @Sendable () -> Date

    public struct Answer<Entry: Sendable>: Sendable {
        public var asOf: LocalDate
        public var knownAt: Date
        public var entries: [Entry]
    }

    public func claims(_ district: String, _ query: Funding.Query, for actor: Actor) async throws -> Answer<Registers.Claim> {
        try await read(district, query, actor) { asOf, knownAt in try await registers.claims(.district(district), year: query.year, asOf: asOf, knownAt: knownAt) }
    }

    public func refusals(_ district: String, _ query: Funding.Query, for actor: Actor) async throws -> Answer<Registers.Refusal> {
        try await read(district, query, actor) { asOf, knownAt in try await registers.refusals(.district(district), year: query.year, asOf: asOf, knownAt: knownAt) }
    }

    func read<Entry: Sendable>(
        _ district: String, _ query: Funding.Query, _ actor: Actor, _ body: (LocalDate, Date) async throws -> [Entry]
    ) async throws -> Answer<Entry> {
        guard let code = PartyCode(district), code.level == .district, Access.canSeeDistrict(code, year: query.year, actor) else {
            throw ApplicationError.notFound("district \(district)", field: "/district")
        }
        let now = clock()
        let asOf = query.asOf ?? LocalDate(now)
        let knownAt = query.knownAt ?? now
        return try await ApplicationError.mapping {
            if let position = query.minPosition { try await readSide.waitFor("registers", position, within: query.wait) }
            return Answer(asOf: asOf, knownAt: knownAt, entries: try await body(asOf, knownAt))
        }
    }
}
