import Foundation
import Logging
import PostgresNIO
import ZhengsheDomain
import ZhengsheStore

/// One event of an agreement stream as the projections see it.
struct AgreementFact {
    /// The agreement's id, `320412001001-2026`.
    var agreement: String
    var event: AgreementEvent
    var recorded: RecordedEvent
    /// Its business date in China Standard Time, `yyyy-MM-dd`.
    var on: String
}

/// The loop the agreement projections share: each event of an agreement stream decoded, the
/// statements `handle` adds for it run in order, and any failure named with its event.
func applyAgreementEvents(
    _ events: [RecordedEvent], on connection: PostgresConnection, logger: Logger,
    _ handle: (AgreementFact, inout Statements) async throws -> Void
) async throws {
    for recorded in events where recorded.streamID.hasPrefix("agreement-") {
        let event: AgreementEvent
        do {
            event = try AgreementEvent.decode(typeName: recorded.type, data: Data(recorded.data.utf8))
        } catch {
            throw ProjectionFailure(event: recorded, reason: "cannot be read: \(error)")
        }
        let fact = AgreementFact(
            agreement: String(recorded.streamID.dropFirst("agreement-".count)), event: event, recorded: recorded,
            on: LocalDate(recorded.occurredAt).description)
        var statements = Statements()
        try await handle(fact, &statements)
        for (text, binds) in statements.list {
            do {
                try await connection.checkedQuery(PostgresQuery(unsafeSQL: text, binds: binds), logger: logger)
            } catch {
                throw ProjectionFailure(event: recorded, reason: String(reflecting: error))
            }
        }
    }
}
