import Foundation
public import Logging
public import PostgresNIO
import ZhengsheDomain
public import ZhengsheStore

/// The money side of every agreement (经费台账): the agreement and its parties, the terms in force
/// over time, the installment schedule in force over time (拨付批次), every transfer with its
/// receipt, and breach claims with the deductions settled on them.
///
/// Rows keep the business dates of what they record (China Standard Time, from the events'
/// `occurredAt`) and when it was recorded, so "as of 30 June, as known on 5 July" is a query on
/// the rows (``FundingLedger``), never a replay of the log. Terms versions count up in log order:
/// the terms in force on a date are the highest version that had taken effect by then.
public struct FundingProjection: Projection {
    public init() {}

    public let name = "funding"
    public let version = 4
    public let tables = ["funding_agreements", "funding_terms", "funding_terms_in_force", "funding_installments", "funding_transfers", "funding_claims"]

    public func createTables(in s: String) -> [String] {
        [
            """
            CREATE TABLE \(s).funding_agreements (
                agreement_id text PRIMARY KEY,
                government   text NOT NULL,
                committee    text NOT NULL,
                district     text NOT NULL,
                year         integer NOT NULL,
                drafted_on   date NOT NULL,
                recorded_at  timestamptz NOT NULL,
                -- Terminated: nothing falls due after that day.
                ended_on     date,
                ended_recorded_at timestamptz
            )
            """,
            "CREATE INDEX ON \(s).funding_agreements (district, year, government)",
            // Every version of the terms as proposed or amended: the schedule is read from it when one takes effect.
            """
            CREATE TABLE \(s).funding_terms (
                agreement_id text NOT NULL,
                terms_key    text NOT NULL,
                terms        jsonb NOT NULL,
                PRIMARY KEY (agreement_id, terms_key)
            )
            """,
            // The terms in force from a date (until the day before the next ones), with what they promise.
            """
            CREATE TABLE \(s).funding_terms_in_force (
                agreement_id    text NOT NULL,
                terms_version   integer NOT NULL,
                in_force_from   date NOT NULL,
                promised        bigint NOT NULL,
                items           integer NOT NULL,
                -- Items with funding or working conditions (费随事转).
                items_funded    integer NOT NULL,
                recorded_at     timestamptz NOT NULL,
                event_id        uuid NOT NULL,
                PRIMARY KEY (agreement_id, terms_version)
            )
            """,
            """
            CREATE TABLE \(s).funding_installments (
                agreement_id   text NOT NULL,
                terms_version  integer NOT NULL,
                installment_id text NOT NULL,
                due_date       date NOT NULL,
                amount         bigint NOT NULL,
                PRIMARY KEY (agreement_id, terms_version, installment_id)
            )
            """,
            """
            CREATE TABLE \(s).funding_transfers (
                agreement_id        text NOT NULL,
                transfer_id         text NOT NULL,
                installment_id      text NOT NULL,
                amount              bigint NOT NULL,
                value_date          date NOT NULL,
                due_date            date,
                transferred_on      date NOT NULL,
                recorded_at         timestamptz NOT NULL,
                event_id            uuid NOT NULL,
                -- Its place in the agreement's history, which the evaluation's evidence cites.
                stream_version      bigint NOT NULL,
                receipt             text CHECK (receipt IN ('confirmed', 'discrepancy')),
                received_amount     bigint,
                receipt_on          date,
                receipt_recorded_at timestamptz,
                receipt_event_id    uuid,
                PRIMARY KEY (agreement_id, transfer_id)
            )
            """,
            """
            CREATE TABLE \(s).funding_claims (
                agreement_id      text NOT NULL,
                claim_id          text NOT NULL,
                claimant          text NOT NULL,
                clause_id         text NOT NULL,
                deduction_cap     bigint NOT NULL,
                filed_on          date NOT NULL,
                recorded_at       timestamptz NOT NULL,
                outcome           text,
                deduction         bigint,
                settled_on        date,
                settled_recorded_at timestamptz,
                settled_event_id  uuid,
                PRIMARY KEY (agreement_id, claim_id)
            )
            """,
        ]
    }

    public func apply(_ events: [RecordedEvent], schema s: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await applyAgreementEvents(events, on: connection, logger: logger) { fact, statements in
            let (agreement, event, on) = (fact.agreement, fact.recorded, fact.on)
            switch fact.event {
            case .drafted(let e):
                try statements.add(
                    """
                    INSERT INTO \(s).funding_agreements (agreement_id, government, committee, district, year, drafted_on, recorded_at)
                    VALUES ($1, $2, $3, $4, $5, $6::date, $7)
                    """,
                    agreement, e.government, e.committee, String(e.committee.prefix(6)), e.year, on, event.recordedAt)
            case .termsProposed(let e):
                try statements.add("INSERT INTO \(s).funding_terms VALUES ($1, $2, $3::text::jsonb) ON CONFLICT DO NOTHING",
                                   agreement, "v\(e.termsVersion)", try Self.json(e.terms))
            case .amendmentProposed(let e):
                try statements.add("INSERT INTO \(s).funding_terms VALUES ($1, $2, $3::text::jsonb) ON CONFLICT DO NOTHING",
                                   agreement, "amendment:\(e.amendmentId)", try Self.json(e.terms))
            case .tookEffect(let e):
                try inForce(agreement, termsKey: "v\(e.termsVersion)", version: e.termsVersion, from: e.effectiveOn.description, event, s, &statements)
            case .amendmentTookEffect(let e):
                try inForce(agreement, termsKey: "amendment:\(e.amendmentId)", version: e.termsVersion, from: on, event, s, &statements)
            case .fundsTransferred(let e):
                try statements.add(
                    """
                    INSERT INTO \(s).funding_transfers
                        (agreement_id, transfer_id, installment_id, amount, value_date, due_date, transferred_on, recorded_at, event_id, stream_version)
                    VALUES ($1, $2, $3, $4, $5::date, NULLIF($6, '')::date, $7::date, $8, $9, $10)
                    """,
                    agreement, e.transferId, e.installmentId, e.amount, e.valueDate.description, e.dueDate?.description ?? "", on, event.recordedAt, event.id,
                    event.streamVersion)
            case .receiptConfirmed(let e):
                try statements.add(
                    """
                    UPDATE \(s).funding_transfers SET receipt = 'confirmed', received_amount = amount, receipt_on = $3::date,
                           receipt_recorded_at = $4, receipt_event_id = $5
                     WHERE agreement_id = $1 AND transfer_id = $2
                    """, agreement, e.transferId, on, event.recordedAt, event.id)
            case .receiptDiscrepancyReported(let e):
                try statements.add(
                    """
                    UPDATE \(s).funding_transfers SET receipt = 'discrepancy', received_amount = $3, receipt_on = $4::date,
                           receipt_recorded_at = $5, receipt_event_id = $6
                     WHERE agreement_id = $1 AND transfer_id = $2
                    """, agreement, e.transferId, e.receivedAmount, on, event.recordedAt, event.id)
            case .breachClaimFiled(let e):
                try statements.add(
                    """
                    INSERT INTO \(s).funding_claims (agreement_id, claim_id, claimant, clause_id, deduction_cap, filed_on, recorded_at)
                    VALUES ($1, $2, $3, $4, $5, $6::date, $7)
                    """, agreement, e.claimId, e.claimant.rawValue, e.clauseId, e.deductionCap ?? 0, on, event.recordedAt)
            case .terminated:
                try statements.add("UPDATE \(s).funding_agreements SET ended_on = $2::date, ended_recorded_at = $3 WHERE agreement_id = $1",
                                   agreement, on, event.recordedAt)
            case .breachClaimSettled(let e):
                try statements.add(
                    """
                    UPDATE \(s).funding_claims SET outcome = $3, deduction = $4, settled_on = $5::date, settled_recorded_at = $6, settled_event_id = $7
                     WHERE agreement_id = $1 AND claim_id = $2
                    """, agreement, e.claimId, e.outcome.rawValue, e.deduction ?? 0, on, event.recordedAt, event.id)
            default:
                return
            }
        }
    }

    /// The terms of `termsKey` are in force from `from`, until a higher version takes effect.
    func inForce(_ agreement: String, termsKey: String, version: Int, from: String, _ event: RecordedEvent, _ s: String, _ statements: inout Statements) throws {
        try statements.add(
            """
            INSERT INTO \(s).funding_terms_in_force
                (agreement_id, terms_version, in_force_from, promised, items, items_funded, recorded_at, event_id)
            SELECT $1, $3, $4::date,
                   (SELECT coalesce(sum((i->>'funding')::bigint), 0) FROM jsonb_array_elements(t.terms->'items') i),
                   jsonb_array_length(t.terms->'items'),
                   (SELECT count(*) FROM jsonb_array_elements(t.terms->'items') i
                     WHERE (i->>'funding')::bigint > 0 OR btrim(coalesce(i->>'workingConditions', '')) <> ''),
                   $5, $6
              FROM \(s).funding_terms t WHERE t.agreement_id = $1 AND t.terms_key = $2
            """, agreement, termsKey, version, from, event.recordedAt, event.id)
        try statements.add(
            """
            INSERT INTO \(s).funding_installments (agreement_id, terms_version, installment_id, due_date, amount)
            SELECT $1, $3, i->>'installmentId', (i->>'dueDate')::date, (i->>'amount')::bigint
              FROM \(s).funding_terms t, jsonb_array_elements(t.terms->'installments') i
             WHERE t.agreement_id = $1 AND t.terms_key = $2
            """, agreement, termsKey, version)
    }

    static func json(_ terms: AgreementTerms) throws -> String { String(decoding: try EventJSON.encoder.encode(terms), as: UTF8.self) }
}

/// SQL statements with their binds, gathered for one event.
struct Statements {
    var list: [(String, PostgresBindings)] = []

    mutating func add(_ text: String, _ values: any PostgresEncodable...) throws {
        var binds = PostgresBindings(capacity: values.count)
        for value in values { try binds.append(value) }
        list.append((text, binds))
    }

    /// One statement with its binds, to run at once (a lookup a handler needs before it decides).
    static func query(_ text: String, _ values: any PostgresEncodable...) throws -> PostgresQuery {
        var binds = PostgresBindings(capacity: values.count)
        for value in values { try binds.append(value) }
        return PostgresQuery(unsafeSQL: text, binds: binds)
    }
}
