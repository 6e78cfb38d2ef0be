import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing
import ZhengsheStore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Concurrent filings fired at a served process from outside, each with an idempotency key of its
/// own, every outcome kept: what the fault suite loses, doubles or leaves unanswered is counted from
/// here. Each filing is a GuidanceGiven (指导记录) whose `guidanceId` is its key, so the log can be
/// searched for it afterwards.
final class FilingLoad: Sendable {
    struct Filing: Sendable {
        let key: String
        let agreement: String
        var uri: String { "/v1/agreements/\(agreement)/events" }
        var body: String {
            #"{"type":"GuidanceGiven","occurredAt":"2026-11-20T10:00:00+08:00","data":{"guidanceId":"\#(key)","kind":"visit","summary":"上门指导 (fault suite)"}}"#
        }
    }

    enum Outcome: Sendable {
        /// An HTTP answer: its status, its problem's rule, and how long it took.
        case answered(status: Int, rule: String?, seconds: Double)
        /// No answer: the connection failed or closed first (the client's error).
        case unanswered(String)

        var status: Int? { if case .answered(let status, _, _) = self { status } else { nil } }
    }

    struct State {
        var filings: [Filing] = []
        var outcomes: [String: Outcome] = [:]
    }

    let prefix: String
    let token: String
    let agreements: [String]
    let state = Mutex(State())
    private let stopping = Atomic<Bool>(false)
    private let rounds = Atomic<Int>(0)

    init(prefix: String, token: String, agreements: [String]) {
        self.prefix = prefix
        self.token = token
        self.agreements = agreements
    }

    var filings: [Filing] { state.withLock { $0.filings } }
    var outcomes: [String: Outcome] { state.withLock { $0.outcomes } }

    /// Files with `workers` clients until `stop()`; each run's keys are new.
    func run(port: Int, workers: Int) async {
        let round = rounds.add(1, ordering: .relaxed).newValue
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<workers { group.addTask { await self.work("\(self.prefix)-\(round)-\(worker)", port: port) } }
        }
    }

    func stop() { stopping.store(true, ordering: .releasing) }

    /// Lets `run` file again after a `stop()`.
    func resume() { stopping.store(false, ordering: .releasing) }

    private func work(_ name: String, port: Int) async {
        var client: TestClient?
        var n = 0
        while !stopping.load(ordering: .acquiring), !Task.isCancelled {
            n += 1
            let filing = Filing(key: "\(name)-\(n)", agreement: agreements[(name.hashValue & 0xFFFF + n) % agreements.count])
            state.withLock { $0.filings.append(filing) }
            let outcome = await Self.send(filing, token: token, port: port, client: &client)
            state.withLock { $0.outcomes[filing.key] = outcome }
            // A server that is not there refuses at once, and one without its database says to
            // come back later: a client does not spin (nor retry here; that comes afterwards).
            switch outcome {
            case .unanswered: try? await Task.sleep(for: .milliseconds(100))
            case .answered(let status, _, _) where status == 503: try? await Task.sleep(for: .milliseconds(250))
            case .answered: break
            }
        }
        try? await client?.shutdown()
    }

    /// Sends one filing on `client` (a new connection when there is none), keeping the connection
    /// unless it failed or the server closes it.
    /// An answer is waited for 45 s: longer than the service's own bound on a filing (30 s).
    static func send(_ filing: Filing, token: String, port: Int, client: inout TestClient?) async -> Outcome {
        let connection: TestClient
        if let client {
            connection = client
        } else {
            connection = TestClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(60)))
            connection.connect()
            client = connection
        }
        var headers: HTTPFields = [.contentType: "application/json", .authorization: "Bearer \(token)"]
        headers[HTTPField.Name("Idempotency-Key")!] = filing.key
        let started = ContinuousClock.now
        do {
            // (TestClient's own timeout waits for a request it cannot cancel: bounded here instead.)
            let request = TestClient.Request(filing.uri, method: .post, headers: headers, body: ByteBuffer(string: filing.body))
            let response = try await answerWithin(.seconds(45)) { try await connection.execute(request) }
            let elapsed = (ContinuousClock.now - started).components
            let rule = response.body.flatMap { try? JSONSerialization.jsonObject(with: Data($0.readableBytesView)) as? [String: Any] }?["rule"] as? String
            if response.headers[.connection]?.lowercased() == "close" {
                try? await connection.shutdown()
                client = nil
            }
            return .answered(status: Int(response.status.code), rule: rule, seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
        } catch {
            try? await connection.shutdown()
            client = nil
            return .unanswered(String(describing: error))
        }
    }

    /// Files again, with its key, every filing not yet answered 201, until each is (or `within`
    /// runs out): a client's retry after a crash or a 503. Returns how many were retried.
    @discardableResult
    func retryUnacknowledged(port: Int, within: Duration = .seconds(90)) async -> Int {
        let pending = state.withLock { state in state.filings.filter { state.outcomes[$0.key]?.status != 201 } }
        let deadline = ContinuousClock.now + within
        // Eight clients, each taking every eighth.
        await withTaskGroup(of: Void.self) { group in
            for lane in 0..<8 {
                group.addTask {
                    var client: TestClient?
                    for filing in pending.enumerated().filter({ $0.offset % 8 == lane }).map(\.element) {
                        var outcome = await Self.send(filing, token: self.token, port: port, client: &client)
                        while outcome.status != 201, ContinuousClock.now < deadline {
                            try? await Task.sleep(for: .milliseconds(200))
                            outcome = await Self.send(filing, token: self.token, port: port, client: &client)
                        }
                        self.state.withLock { $0.outcomes[filing.key] = outcome }
                    }
                    try? await client?.shutdown()
                }
            }
        }
        return pending.count
    }

    /// How many times each of this load's keys is in the log, read back through the API.
    func recorded(port: Int) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for agreement in agreements {
            var from = 1
            while true {
                let page = try await Self.get("http://127.0.0.1:\(port)/v1/agreements/\(agreement)/events?from=\(from)&limit=1000", token: token)
                let events = page["events"] as? [[String: Any]] ?? []
                for event in events where event["type"] as? String == "GuidanceGiven" {
                    if let id = (event["data"] as? [String: Any])?["guidanceId"] as? String, id.hasPrefix(prefix + "-") { counts[id, default: 0] += 1 }
                }
                guard let last = events.last?["streamVersion"] as? Int, events.count == 1000 else { break }
                from = last + 1
            }
        }
        return counts
    }

    /// The figures of a run: answers by status, unanswered, slowest answer.
    struct Figures: CustomStringConvertible {
        var filings = 0
        var byStatus: [Int: Int] = [:]
        var unanswered = 0
        var slowest = 0.0
        var errors: [String] = []

        var description: String {
            let statuses = byStatus.keys.sorted().map { "\($0): \(byStatus[$0]!)" }.joined(separator: ", ")
            return "\(filings) filings (\(statuses)), \(unanswered) unanswered, slowest answer \(String(format: "%.2f", slowest)) s"
        }
    }

    var figures: Figures {
        state.withLock { state in
            var figures = Figures(filings: state.filings.count)
            for outcome in state.outcomes.values {
                switch outcome {
                case .answered(let status, _, let seconds):
                    figures.byStatus[status, default: 0] += 1
                    figures.slowest = max(figures.slowest, seconds)
                case .unanswered(let error):
                    figures.unanswered += 1
                    if figures.errors.count < 3 { figures.errors.append(error) }
                }
            }
            return figures
        }
    }

    /// Answers whose status is neither 201 nor a 503 that says the database is away or did not
    /// answer in time (both safe to retry with the key).
    var unexpected: [(key: String, outcome: Outcome)] {
        state.withLock { state in
            state.outcomes.filter { _, outcome in
                guard case .answered(let status, let rule, _) = outcome else { return false }
                return !(status == 201 || (status == 503 && ["database-available", "database-answer"].contains(rule ?? "")))
            }.map { ($0.key, $0.value) }.sorted { $0.key < $1.key }
        }
    }

    static func get(_ url: String, token: String) async throws -> [String: Any] {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.timeoutInterval = 60
        let (data, response) = try await URLSession.shared.data(for: request)
        try #require((response as? HTTPURLResponse)?.statusCode == 200, "\(url): \(String(decoding: data, as: UTF8.self))")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The agreements of a street, from its obligations view (waiting while the read side is
    /// still being built after the demo city was seeded).
    static func agreements(port: Int, government: String, token: String, count: Int) async throws -> [String] {
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/v1/governments/\(government)/obligations?year=2026&limit=1000"))
        var request = URLRequest(url: url)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        var found: [String] = []
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            if let (data, response) = try? await URLSession.shared.data(for: request), (response as? HTTPURLResponse)?.statusCode == 200,
               let view = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
                found = (view["committees"] as? [[String: Any]] ?? []).compactMap { $0["agreement"] as? String }.sorted()
                if found.count >= count { return found }
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record("the street's \(count) agreements never showed (found \(found.count))")
        throw CancellationError()
    }
}
