public import Foundation
public import Logging
public import ZhengsheDomain
public import ZhengsheStore
import ZhengsheProjections

/// The application: what the adapters (HTTP, the command line, the demo city) call. It files
/// through the deciders, keeps the folded-state caches, and applies the access rules; it knows
/// nothing of HTTP.
public struct ApplicationServices: Sendable {
    public let agreements: Agreements
    public let catalogues: Catalogues
    public let evaluations: Evaluations
    public let twoWay: TwoWayReports
    public let authenticator: Authenticator
    public let health: HealthCheck
    /// Whether the database is known to be out of reach (kept by the server's monitor).
    public let availability: DatabaseAvailability
    public let funding: Funding
    public let obligations: Obligations
    public let registers: DistrictRegisters
    /// The service's clock (fixed in tests).
    public let clock: @Sendable () -> Date

    /// - Parameters:
    ///   - clock: the service's clock, for the rules that compare business time with now.
    ///   - readYourWritesWait: how long a read given a `minPosition` waits for the read side to
    ///     reach it before it answers 503 projection-lag.
    public init(
        store: PostgresEventStore, tokens: TokenStore, clock: @escaping @Sendable () -> Date = Date.init,
        readYourWritesWait: Duration = .seconds(2), availability: DatabaseAvailability = DatabaseAvailability(), logger: Logger
    ) {
        self.clock = clock
        self.availability = availability
        let queue = StreamQueue()
        let catalogues = Catalogues(store: store, cache: StateCache(), queue: queue, clock: clock)
        self.catalogues = catalogues
        agreements = Agreements(store: store, cache: StateCache(), queue: queue, lists: catalogues, clock: clock)
        evaluations = Evaluations(store: store, cache: StateCache(), queue: queue, clock: clock)
        authenticator = Authenticator(tokens: tokens)
        health = HealthCheck(database: DatabaseHealth(client: store.client, logger: logger), availability: availability)
        let readSide = ReadSide(generations: ProjectionGenerations(client: store.client, logger: logger), defaultWait: readYourWritesWait)
        let ledger = FundingLedger(client: store.client, logger: logger)
        let registers = Registers(client: store.client, logger: logger)
        funding = Funding(ledger: ledger, readSide: readSide, clock: clock)
        obligations = Obligations(reports: ReportObligations(client: store.client, logger: logger), ledger: ledger, registers: registers, readSide: readSide, clock: clock)
        self.registers = DistrictRegisters(registers: registers, readSide: readSide, clock: clock)
        twoWay = TwoWayReports(evaluations: evaluations, reports: ReportObligations(client: store.client, logger: logger), ledger: ledger,
                               registers: registers, readSide: readSide, clock: clock)
    }
}

extension ApplicationError {
    /// Runs `body`, turning the database being out of reach into ``ApplicationError/unavailable(_:)``.
    static func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error where DatabaseHealth.isUnavailable(error) {
            throw ApplicationError.unavailable(String(reflecting: error))
        } catch let error where DatabaseHealth.isReadSideMissing(error) {
            throw ApplicationError.readSideBuilding
        }
    }
}
