import Foundation
public import Logging
public import PostgresNIO
import ZhengsheDomain
public import ZhengsheStore

/// The money side of every agreement (经费台账): the agreement's parties and state, the schedule of
/// installments in force (拨付批次), and every transfer with its receipt. The funding ledger and
/// the government's "what is due, what is late" read these tables.
///
/// Dates are business dates (China Standard Time) taken from the events; each row also keeps when
/// it was recorded, for audit.
public struct FundingProjection: Projection {
    public init() {}

    public let name = "funding"
    public let version = 1
    public let tables = ["funding_agreements", "funding_terms", "funding_installments", "funding_transfers"]

    public func createTables(in s: String) -> [String] {
        [
            """
            CREATE TABLE \(s).funding_agreements (
                agreement_id     text PRIMARY KEY,
                government       text NOT NULL,
                committee        text NOT NULL,
                district         text NOT NULL,
                year             integer NOT NULL,
                status           text NOT NULL,
                terms_version    integer,
                -- Fen promised by the terms in force (费随事转).
                funding_promised bigint NOT NULL DEFAULT 0,
                effective_on     date,
                updated_position bigint NOT NULL
            )
            """,
            "CREATE INDEX ON \(s).funding_agreements (government, year)",
            "CREATE INDEX ON \(s).funding_agreements (district, year)",
            // Every version of the terms as proposed (or amended), so the schedule can be read when one takes effect.
            """
            CREATE TABLE \(s).funding_terms (
                agreement_id text NOT NULL,
                terms_key    text NOT NULL,
                terms        jsonb NOT NULL,
                PRIMARY KEY (agreement_id, terms_key)
            )
            """,
            """
            CREATE TABLE \(s).funding_installments (
                agreement_id   text NOT NULL,
                installment_id text NOT NULL,
                due_date       date NOT NULL,
                amount         bigint NOT NULL,
                terms_version  integer NOT NULL,
                PRIMARY KEY (agreement_id, installment_id)
            )
            """,
            """
            CREATE TABLE \(s).funding_transfers (
                agreement_id    text NOT NULL,
                transfer_id     text NOT NULL,
                installment_id  text NOT NULL,
                amount          bigint NOT NULL,
                value_date      date NOT NULL,
                due_date        date,
                transferred_on  date NOT NULL,
                status          text NOT NULL CHECK (status IN ('sent', 'confirmed', 'discrepancy')),
                received_amount bigint,
                receipt_on      date,
                event_id        uuid NOT NULL,
                recorded_at     timestamptz NOT NULL,
                PRIMARY KEY (agreement_id, transfer_id)
            )
            """,
        ]
    }

    public func apply(_ events: [RecordedEvent], schema s: String, on connection: PostgresConnection, logger: Logger) async throws {
        for event in events where event.streamID.hasPrefix("agreement-") {
            let agreement = String(event.streamID.dropFirst("agreement-".count))
            let decoded: AgreementEvent
            do {
                decoded = try AgreementEvent.decode(typeName: event.type, data: Data(event.data.utf8))
            } catch {
                throw ProjectionFailure(event: event, reason: "cannot be read: \(error)")
            }
            let on = LocalDate(event.occurredAt).description
            var statements: [(String, PostgresBindings)] = []
            func sql(_ text: String, _ values: any PostgresEncodable...) throws {
                var binds = PostgresBindings(capacity: values.count)
                for value in values { try binds.append(value) }
                statements.append((text, binds))
            }
            switch decoded {
            case .drafted(let e):
                let id = AgreementID(agreement)
                try sql(
                    """
                    INSERT INTO \(s).funding_agreements (agreement_id, government, committee, district, year, status, updated_position)
                    VALUES ($1, $2, $3, $4, $5, 'drafted', $6)
                    """,
                    agreement, e.government, e.committee, id?.district.rawValue ?? String(e.committee.prefix(6)), e.year, event.position.globalPosition)
            case .termsProposed(let e):
                try sql("INSERT INTO \(s).funding_terms VALUES ($1, $2, $3::text::jsonb) ON CONFLICT DO NOTHING",
                        agreement, "v\(e.termsVersion)", try String(decoding: EventJSON.encoder.encode(e.terms), as: UTF8.self))
            case .amendmentProposed(let e):
                try sql("INSERT INTO \(s).funding_terms VALUES ($1, $2, $3::text::jsonb) ON CONFLICT DO NOTHING",
                        agreement, "amendment:\(e.amendmentId)", try String(decoding: EventJSON.encoder.encode(e.terms), as: UTF8.self))
            case .tookEffect(let e):
                try sql(
                    """
                    UPDATE \(s).funding_agreements SET status = 'inEffect', terms_version = $2, funding_promised = $3, effective_on = $4::date, updated_position = $5
                     WHERE agreement_id = $1
                    """, agreement, e.termsVersion, e.fundingTotal, e.effectiveOn.description, event.position.globalPosition)
                try schedule(agreement, termsKey: "v\(e.termsVersion)", version: e.termsVersion, s, sql)
            case .amendmentTookEffect(let e):
                try sql("UPDATE \(s).funding_agreements SET terms_version = $2, funding_promised = $3, updated_position = $4 WHERE agreement_id = $1",
                        agreement, e.termsVersion, e.fundingTotal, event.position.globalPosition)
                try schedule(agreement, termsKey: "amendment:\(e.amendmentId)", version: e.termsVersion, s, sql)
            case .fundsTransferred(let e):
                try sql(
                    """
                    INSERT INTO \(s).funding_transfers
                        (agreement_id, transfer_id, installment_id, amount, value_date, due_date, transferred_on, status, event_id, recorded_at)
                    VALUES ($1, $2, $3, $4, $5::date, NULLIF($6, '')::date, $7::date, 'sent', $8, $9)
                    """,
                    agreement, e.transferId, e.installmentId, e.amount, e.valueDate.description, e.dueDate?.description ?? "", on, event.id, event.recordedAt)
            case .receiptConfirmed(let e):
                try sql("UPDATE \(s).funding_transfers SET status = 'confirmed', received_amount = amount, receipt_on = $3::date WHERE agreement_id = $1 AND transfer_id = $2",
                        agreement, e.transferId, on)
            case .receiptDiscrepancyReported(let e):
                try sql("UPDATE \(s).funding_transfers SET status = 'discrepancy', received_amount = $3, receipt_on = $4::date WHERE agreement_id = $1 AND transfer_id = $2",
                        agreement, e.transferId, e.receivedAmount, on)
            case .terminated:
                try sql("UPDATE \(s).funding_agreements SET status = 'terminated', updated_position = $2 WHERE agreement_id = $1", agreement, event.position.globalPosition)
            case .closed:
                try sql("UPDATE \(s).funding_agreements SET status = 'closed', updated_position = $2 WHERE agreement_id = $1", agreement, event.position.globalPosition)
            default:
                continue
            }
            for (text, binds) in statements {
                do {
                    try await connection.query(PostgresQuery(unsafeSQL: text, binds: binds), logger: logger)
                } catch {
                    throw ProjectionFailure(event: event, reason: String(reflecting: error))
                }
            }
        }
    }

    /// The schedule in force becomes the one of `termsKey`'s terms.
    func schedule(_ agreement: String, termsKey: String, version: Int, _ s: String, _ sql: (String, any PostgresEncodable...) throws -> Void) throws {
        try sql("DELETE FROM \(s).funding_installments WHERE agreement_id = $1", agreement)
        try sql(
            """
            INSERT INTO \(s).funding_installments (agreement_id, installment_id, due_date, amount, terms_version)
            SELECT $1, i->>'installmentId', (i->>'dueDate')::date, (i->>'amount')::bigint, $3
              FROM \(s).funding_terms t, jsonb_array_elements(t.terms->'installments') i
             WHERE t.agreement_id = $1 AND t.terms_key = $2
            """, agreement, termsKey, version)
    }
}
