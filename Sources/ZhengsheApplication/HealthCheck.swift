import ZhengsheStore

/// Whether the service can reach its database, and the schema it found there.
public struct HealthCheck: Sendable {
    let database: DatabaseHealth
    let availability: DatabaseAvailability

    public struct Report: Sendable {
        public var reachable: Bool
        public var latencyMilliseconds: Double?
        public var serverVersion: String?
        public var schemaVersion: Int?
        public var error: String?
    }

    /// Known down: said at once, with since when. Otherwise asked, within 5 s.
    public func check() async -> Report {
        if let outage = availability.outage {
            return Report(reachable: false, error: "\(outage.reason) (since \(outage.since))")
        }
        let started = ContinuousClock.now
        do {
            let database = database
            let (server, schema) = try await answerWithin(.seconds(5)) { try await database.versions() }
            let elapsed = ContinuousClock.now - started
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            return Report(reachable: true, latencyMilliseconds: milliseconds, serverVersion: server, schemaVersion: schema)
        } catch {
            return Report(reachable: false, error: "\(error)")
        }
    }
}
