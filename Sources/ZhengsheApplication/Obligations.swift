public import Foundation
public import ZhengsheDomain
public import ZhengsheProjections
import ZhengsheStore

/// "What do we owe, and what is late?" — a committee's duty reports over the year, and a street's
/// across its committees, as of a date and as known at a time, with the write side's access rules.
public struct Obligations: Sendable {
    let reports: ReportObligations
    let readSide: ReadSide
    let clock: @Sendable () -> Date

    public struct Summary: Sendable, Hashable {
        public var counts: [ReportObligations.Status: Int]
        public func count(_ status: ReportObligations.Status) -> Int { counts[status] ?? 0 }
    }

    public struct Report: Sendable {
        public var year: Int
        public var asOf: LocalDate
        public var knownAt: Date
        public var summary: Summary
        public var lines: [ReportObligations.Line]
    }

    /// A committee's duty reports for `query.year`: its own, its government's, the district's and
    /// its evaluators' to see.
    public func committee(_ code: String, _ query: Funding.Query, for actor: Actor) async throws -> Report {
        guard let committee = PartyCode(code), let id = AgreementID(committee: committee, year: query.year), Access.canSee(id, actor) else {
            throw ApplicationError.notFound("committee \(code)", field: "/committee")
        }
        return try await report(.agreement(id.description), query)
    }

    /// A street's committees' duty reports: the government's own, the district's and its evaluators'.
    public func government(_ code: String, _ query: Funding.Query, for actor: Actor) async throws -> Report {
        guard let government = PartyCode(code), government.level == .government, Access.canSeeStreet(government, year: query.year, actor) else {
            throw ApplicationError.notFound("street/town \(code)", field: "/government")
        }
        return try await report(.government(code), query)
    }

    func report(_ scope: FundingLedger.Scope, _ query: Funding.Query) async throws -> Report {
        let now = clock()
        let asOf = query.asOf ?? LocalDate(now)
        let knownAt = query.knownAt ?? now
        return try await ApplicationError.mapping {
            if let position = query.minPosition { try await readSide.waitFor("obligations", position, within: query.wait) }
            let lines = try await reports.lines(scope, year: query.year, asOf: asOf, knownAt: knownAt)
            var counts: [ReportObligations.Status: Int] = [:]
            for line in lines { counts[line.status, default: 0] += 1 }
            return Report(year: query.year, asOf: asOf, knownAt: knownAt, summary: Summary(counts: counts), lines: lines)
        }
    }
}

/// Read-your-writes: waits, bounded, until a projection has applied the event at a position.
struct ReadSide: Sendable {
    let generations: ProjectionGenerations
    /// How long a request waits when it does not say.
    let defaultWait: Duration

    func waitFor(_ projection: String, _ position: Int64, within wait: Duration?) async throws {
        let deadline = ContinuousClock.now + (wait ?? defaultWait)
        while true {
            if try await generations.covers(projection, globalPosition: position) { return }
            guard ContinuousClock.now < deadline else { throw ApplicationError.projectionLag(projection: projection, position: position) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
