import Foundation
import Testing
@testable import ZhengsheApplication
import ZhengsheDomain
import ZhengsheStore
import ZhengsheTestSupport

/// The application layer against the real store, without HTTP: filing, retries, pins, access.
@Suite(.timeLimit(.minutes(2))) struct ApplicationTests {
    static let now = LocalDate("2026-12-31")!.start.addingTimeInterval(20 * 3600)
    let bureau = Actor(name: "民政局", role: .district, party: PartyCode("320412"))
    let government = Actor(name: "街道办", role: .government, party: PartyCode("320412001"))
    let stranger = Actor(name: "别的街道", role: .government, party: PartyCode("320412002"))

    func services() throws -> ApplicationServices {
        let database = try TestDatabase.current
        return ApplicationServices(store: database.store, tokens: TokenStore(client: database.client, logger: database.logger),
                                   clock: { Self.now }, logger: database.logger)
    }

    func filing(_ type: String, _ data: String, on date: String = "2026-01-05", pin: VersionPin? = nil, key: String? = nil) -> Filing {
        Filing(type: type, occurredAt: LocalDate(date)!.start.addingTimeInterval(9 * 3600), data: Data(data.utf8), pin: pin, idempotencyKey: key, requestID: "test")
    }

    @Test(.database) func filesRetriesAndPinsThroughTheApplication() async throws {
        let app = try services()
        let publish = filing("ListItemPublished", #"{"list":"assistance","code":"A01","title":"人口信息采集"}"#, key: "publish-A01")
        let first = try await app.catalogues.file(publish, district: "320412", year: 2026, by: bureau)
        #expect(first.streamVersion == 1 && !first.replayed)
        // The same key and filing: the first answer, nothing written.
        let retry = try await app.catalogues.file(publish, district: "320412", year: 2026, by: bureau)
        #expect(retry.replayed && retry.events.map(\.eventID) == first.events.map(\.eventID))
        // The same key, another filing: refused.
        await #expect(throws: ApplicationError.idempotencyConflict(key: "publish-A01")) {
            try await app.catalogues.file(filing("ListItemPublished", #"{"list":"assistance","code":"A02","title":"别的"}"#, key: "publish-A01"),
                                          district: "320412", year: 2026, by: bureau)
        }
        // A stale pin names both versions.
        await #expect(throws: ApplicationError.versionConflict(stream: "catalogue-320412-2026", expected: 0, actual: 1, pinnedBy: .body)) {
            try await app.catalogues.file(filing("ListItemPublished", #"{"list":"assistance","code":"A03","title":"x"}"#, pin: VersionPin(0, from: .body)),
                                          district: "320412", year: 2026, by: bureau)
        }
        // A rule, refused with its name; a body that does not fit, with its field.
        await #expect(throws: ApplicationError.refused(DomainError(.forbidden, rule: "district-keeps-lists", field: "/type",
                                                                   "only the civil-affairs bureau (民政局) of district 320412 keeps its lists and decides admission"))) {
            try await app.catalogues.file(filing("ListItemPublished", #"{"list":"assistance","code":"A04","title":"x"}"#), district: "320412", year: 2026, by: government)
        }
        await #expect(throws: ApplicationError.invalid(.invalidData(field: "/data/titel", reason: "is not a field of this event type; check its spelling (无此字段)"))) {
            try await app.catalogues.file(filing("ListItemPublished", #"{"list":"assistance","code":"A05","title":"x","titel":"y"}"#), district: "320412", year: 2026, by: bureau)
        }
        let lists = try await app.catalogues.snapshot(district: "320412", year: 2026, for: government)
        #expect(lists.version == 1 && lists.state.assistanceItems.keys.sorted() == ["A01"])
    }

    /// A retry of a filing whose first attempt an earlier version recorded, with the meaning hash
    /// it worked out then, is still known as that filing; another filing is not.
    @Test func aRetryMatchesTheHashAnEarlierVersionRecorded() {
        let first = filing("ListItemPublished", #"{"title":"x", "list":"assistance","code":"A07"}"#, key: "k")
        let hash = RequestHash(first)
        #expect(hash.recorded == first.meaningHash && hash.recorded != first.legacyMeaningHash)
        #expect(hash.matches(first.meaningHash) && hash.matches(first.legacyMeaningHash))
        let other = filing("ListItemPublished", #"{"title":"x", "list":"assistance","code":"A08"}"#, key: "k")
        #expect(!hash.matches(other.meaningHash) && !hash.matches(other.legacyMeaningHash) && !hash.matches(nil))
        let together = RequestHash(together: [first, other])
        #expect(together.matches(RequestHash(together: [first, other]).legacy()) && !together.matches(RequestHash(together: [other, first]).recorded))
    }

    /// Retries racing their own first attempt all get the first answer, and one event is recorded.
    @Test(.database) func concurrentRetriesOfOneFilingGetOneAnswer() async throws {
        let app = try services()
        let publish = filing("ListItemPublished", #"{"list":"lawfulDuty","code":"L01","title":"居民会议"}"#, key: "race-L01")
        let outcomes = try await withThrowingTaskGroup(of: FilingOutcome.self) { group in
            for _ in 0..<8 { group.addTask { try await app.catalogues.file(publish, district: "320412", year: 2026, by: bureau) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(outcomes.flatMap { $0.events.map(\.eventID) }).count == 1)
        #expect(outcomes.filter { !$0.replayed }.count == 1)
        let lists = try await app.catalogues.snapshot(district: "320412", year: 2026, for: bureau)
        #expect(lists.state.lawfulDuties.keys.sorted() == ["L01"])
    }

    /// Filings on one stream within a process queue rather than race for its next version: forty at
    /// once with no version pinned are all recorded; pinned to the same version, one is and the rest
    /// are told the version moved.
    @Test(.database) func filingsOnOneStreamQueueRatherThanRace() async throws {
        let app = try services()
        let bureau = bureau
        let outcomes = try await withThrowingTaskGroup(of: FilingOutcome.self) { group in
            for n in 0..<40 {
                let publish = filing("ListItemPublished", #"{"list":"assistance","code":"Q\#(n)","title":"事项\#(n)"}"#)
                group.addTask { try await app.catalogues.file(publish, district: "320412", year: 2026, by: bureau) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.map(\.streamVersion).sorted() == Array(1...40))
        let pinned = await withTaskGroup(of: Result<FilingOutcome, any Error>.self) { group in
            for n in 0..<10 {
                let publish = filing("ListItemPublished", #"{"list":"assistance","code":"P\#(n)","title":"事项"}"#, pin: VersionPin(40, from: .body))
                group.addTask {
                    do { return .success(try await app.catalogues.file(publish, district: "320412", year: 2026, by: bureau)) } catch { return .failure(error) }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let conflicts = pinned.compactMap { result -> ApplicationError? in if case .failure(let error) = result { error as? ApplicationError } else { nil } }
        #expect(pinned.count - conflicts.count == 1 && conflicts.count == 9)
        #expect(conflicts.allSatisfy { $0 == ApplicationError.versionConflict(stream: "catalogue-320412-2026", expected: 40, actual: 41, pinnedBy: .body) })
    }

    @Test(.database) func agreementsOthersMayNotSeeDoNotExistForThem() async throws {
        let app = try services()
        let draft = filing("AgreementDrafted", #"{"government":"320412001","committee":"320412001001","year":2026,"termStart":"2026-01-01","termEnd":"2026-12-31"}"#)
        // Filing, another street is told plainly that the committee is not its own (the code says so).
        await #expect(throws: ApplicationError.refused(DomainError(
            .forbidden, rule: "committee-in-street", field: "/id",
            "committee 320412001001 belongs to 320412001, not to 320412002: a street or town files only on its own committees' agreements (该居委会不属于本街道/镇)"))) {
            try await app.agreements.file(draft, on: "320412001001-2026", by: stranger)
        }
        let filed = try await app.agreements.file(draft, on: "320412001001-2026", by: government)
        #expect(filed.stream == "agreement-320412001001-2026")
        await #expect(throws: ApplicationError.notFound("agreement 320412001001-2026", field: "/id")) {
            try await app.agreements.snapshot("320412001001-2026", for: stranger)
        }
        let seen = try await app.agreements.snapshot("320412001001-2026", for: government)
        #expect(seen.state.status == .drafted && seen.version == 1)
        let page = try await app.agreements.history("320412001001-2026", for: bureau, from: 1, limit: 10)
        #expect(page.events.map(\.type) == ["AgreementDrafted"] && page.nextVersion == nil)
    }
}

/// The queue of filings on one stream: in turn, in order, and never waiting without end.
@Suite(.timeLimit(.minutes(1))) struct StreamQueueTests {
    actor Log {
        var entries: [String] = []
        func add(_ entry: String) { entries.append(entry) }
    }

    @Test func filingsOnAStreamRunOneAtATimeInOrderOthersDoNotWait() async throws {
        let queue = StreamQueue()
        let log = Log()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<5 {
                group.addTask {
                    try await queue.run("agreement-a") {
                        await log.add("start \(n)")
                        try await Task.sleep(for: .milliseconds(20))
                        await log.add("end \(n)")
                    }
                }
                // Arrival order: each is queued before the next arrives.
                try await Task.sleep(for: .milliseconds(5))
            }
            group.addTask { try await queue.run("agreement-b") { await log.add("other stream") } }
            try await group.waitForAll()
        }
        let entries = await log.entries
        let onA = entries.filter { $0 != "other stream" }
        #expect(onA == (0..<5).flatMap { ["start \($0)", "end \($0)"] })
        // The other stream did not wait for the five.
        #expect(entries.firstIndex(of: "other stream").map { $0 < entries.count - 1 } == true, "\(entries)")
    }

    /// A filing stuck in its turn does not hold the stream: once nothing has moved for the
    /// queue's wait, the next goes ahead (the expected version, not the queue, keeps it consistent).
    @Test func aFilingStuckInItsTurnDoesNotHoldTheStream() async throws {
        let queue = StreamQueue(wait: .milliseconds(200))
        let stuck = Task { try await queue.run("agreement-a") { try await Task.sleep(for: .seconds(2)) } }
        try await Task.sleep(for: .milliseconds(50))
        let started = ContinuousClock.now
        #expect(try await queue.run("agreement-a") { 42 } == 42)
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(100) && waited < .seconds(1), "\(waited)")
        stuck.cancel()
        _ = try? await stuck.value
        #expect(try await queue.run("agreement-a") { 43 } == 43)
    }

    /// A filing cancelled while it waits (its request answered 503 without it) leaves the line at
    /// once and never runs; the one behind it takes its place.
    @Test func aFilingCancelledWhileWaitingLeavesTheLineAndNeverRuns() async throws {
        let queue = StreamQueue(wait: .seconds(30))
        let log = Log()
        let (release, released) = AsyncStream.makeStream(of: Void.self)
        let (started, hasStarted) = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            try await queue.run("agreement-a") {
                hasStarted.yield()
                for await _ in release { break }
            }
        }
        for await _ in started { break }
        // (Arrival order: each is queued well before the next arrives.)
        let cancelled = Task { try await queue.run("agreement-a") { await log.add("cancelled one ran") } }
        try await Task.sleep(for: .milliseconds(100))
        let behind = Task { try await queue.run("agreement-a") { await log.add("behind ran") } }
        try await Task.sleep(for: .milliseconds(100))
        let asked = ContinuousClock.now
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(ContinuousClock.now - asked < .seconds(5), "the cancelled one waited \(ContinuousClock.now - asked)")
        released.yield()
        try await holder.value
        try await behind.value
        let entries = await log.entries
        #expect(entries == ["behind ran"])
    }

    /// A holder overtaken after the wait that finishes late does not hand the turn on while the
    /// one that overtook it still runs.
    @Test func anOvertakenHolderFinishingLateHandsTheTurnToNoOne() async throws {
        let queue = StreamQueue(wait: .seconds(1))
        let log = Log()
        let (releaseStuck, stuckReleased) = AsyncStream.makeStream(of: Void.self)
        let (releaseOvertaking, overtakingReleased) = AsyncStream.makeStream(of: Void.self)
        let (overtakingStarted, overtakingHasStarted) = AsyncStream.makeStream(of: Void.self)
        let stuck = Task {
            try await queue.run("agreement-a") {
                for await _ in releaseStuck { break }
                await log.add("stuck done")
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        let overtaking = Task {
            try await queue.run("agreement-a") {
                await log.add("overtaking start")
                overtakingHasStarted.yield()
                for await _ in releaseOvertaking { break }
                await log.add("overtaking end")
            }
        }
        // After the queue's wait with the stuck one not moving, the next goes ahead.
        for await _ in overtakingStarted { break }
        let third = Task { try await queue.run("agreement-a") { await log.add("third") } }
        try await Task.sleep(for: .milliseconds(100))
        // The stuck one finishes while the overtaking one still holds the turn: the third must
        // not start (its own wait would run out only a second after it arrived).
        stuckReleased.yield()
        try await stuck.value
        try await Task.sleep(for: .milliseconds(100))
        let meanwhile = await log.entries
        #expect(!meanwhile.contains("third"), "\(meanwhile)")
        overtakingReleased.yield()
        try await overtaking.value
        try await third.value
        let entries = await log.entries
        #expect(entries == ["overtaking start", "stuck done", "overtaking end", "third"])
    }
}
