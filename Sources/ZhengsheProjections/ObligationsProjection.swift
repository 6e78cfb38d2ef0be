import Foundation
public import Logging
public import PostgresNIO
import ZhengsheDomain
public import ZhengsheStore

/// The committee's duties over the year (履职报告义务): every report its terms call for — one per
/// item and period, with its due date — and every report filed, with its verification or
/// rejection. "What do we owe and what is late" reads these tables.
///
/// Every terms version lists the reports it would call for over the whole term; a report is owed
/// under the version in force on its due date (an amendment changes what falls due after it takes
/// effect, never what fell due before). Rows keep business dates, recording times and log
/// positions, so any date and any audit time is a query.
public struct ObligationsProjection: Projection {
    public init() {}

    public let name = "obligations"
    public let version = 4
    public let tables = [
        "obligation_agreements", "obligation_terms", "obligation_terms_in_force", "obligation_reports_due", "obligation_report_filings", "obligation_guidance",
    ]

    public func createTables(in s: String) -> [String] {
        [
            """
            CREATE TABLE \(s).obligation_agreements (
                agreement_id text PRIMARY KEY,
                government   text NOT NULL,
                committee    text NOT NULL,
                district     text NOT NULL,
                year         integer NOT NULL,
                term_start   date NOT NULL,
                term_end     date NOT NULL,
                drafted_on   date NOT NULL,
                recorded_at  timestamptz NOT NULL,
                -- Terminated: nothing falls due after that day.
                ended_on     date,
                ended_recorded_at timestamptz
            )
            """,
            "CREATE INDEX ON \(s).obligation_agreements (government, year)",
            "CREATE TABLE \(s).obligation_terms (agreement_id text NOT NULL, terms_key text NOT NULL, terms jsonb NOT NULL, PRIMARY KEY (agreement_id, terms_key))",
            """
            CREATE TABLE \(s).obligation_terms_in_force (
                agreement_id  text NOT NULL,
                terms_version integer NOT NULL,
                terms_key     text NOT NULL,
                in_force_from date NOT NULL,
                recorded_at   timestamptz NOT NULL,
                PRIMARY KEY (agreement_id, terms_version)
            )
            """,
            """
            CREATE TABLE \(s).obligation_reports_due (
                agreement_id  text NOT NULL,
                terms_version integer NOT NULL,
                item_id       text NOT NULL,
                item_title    text NOT NULL,
                period        text NOT NULL,
                due_date      date NOT NULL,
                PRIMARY KEY (agreement_id, terms_version, item_id, period)
            )
            """,
            """
            CREATE TABLE \(s).obligation_report_filings (
                agreement_id        text NOT NULL,
                report_id           text NOT NULL,
                item_id             text NOT NULL,
                period              text NOT NULL,
                reported_on         date NOT NULL,
                recorded_at         timestamptz NOT NULL,
                event_id            uuid NOT NULL,
                -- Its place in the agreement's history, which the evaluation's evidence cites.
                stream_version      bigint NOT NULL,
                -- The filing's place in the log: the latest filing for a period stands.
                global_position     bigint NOT NULL,
                outcome             text CHECK (outcome IN ('verified', 'rejected')),
                outcome_on          date,
                outcome_recorded_at timestamptz,
                outcome_event_id    uuid,
                outcome_stream_version bigint,
                reason              text,
                PRIMARY KEY (agreement_id, report_id)
            )
            """,
            // The report standing for a period is the last filed: read off the index, newest first.
            "CREATE INDEX ON \(s).obligation_report_filings (agreement_id, item_id, period, global_position DESC)",
            // What the government gave against its commitments (指导、培训).
            """
            CREATE TABLE \(s).obligation_guidance (
                agreement_id text NOT NULL,
                guidance_id  text NOT NULL,
                kind         text NOT NULL CHECK (kind IN ('visit', 'training', 'document')),
                item_id      text,
                summary      text NOT NULL,
                given_on     date NOT NULL,
                recorded_at  timestamptz NOT NULL,
                event_id     uuid NOT NULL,
                stream_version bigint NOT NULL,
                PRIMARY KEY (agreement_id, guidance_id)
            )
            """,
        ]
    }

    public func apply(_ events: [RecordedEvent], schema s: String, on connection: PostgresConnection, logger: Logger) async throws {
        // Reports, their outcomes and guidance are most of the log: they are collected over the
        // batch and written in three statements, not one round trip each.
        var batch = Batch()
        try await applyAgreementEvents(events, on: connection, logger: logger) { fact, statements in
            let (agreement, event, on) = (fact.agreement, fact.recorded, fact.on)
            switch fact.event {
            case .drafted(let e):
                try statements.add(
                    """
                    INSERT INTO \(s).obligation_agreements (agreement_id, government, committee, district, year, term_start, term_end, drafted_on, recorded_at)
                    VALUES ($1, $2, $3, $4, $5, $6::date, $7::date, $8::date, $9)
                    """,
                    agreement, e.government, e.committee, String(e.committee.prefix(6)), e.year, e.termStart.description, e.termEnd.description, on, event.recordedAt)
            case .termsProposed(let e):
                try statements.add("INSERT INTO \(s).obligation_terms VALUES ($1, $2, $3::text::jsonb) ON CONFLICT DO NOTHING",
                                   agreement, "v\(e.termsVersion)", try FundingProjection.json(e.terms))
            case .amendmentProposed(let e):
                try statements.add("INSERT INTO \(s).obligation_terms VALUES ($1, $2, $3::text::jsonb) ON CONFLICT DO NOTHING",
                                   agreement, "amendment:\(e.amendmentId)", try FundingProjection.json(e.terms))
            case .tookEffect(let e):
                try await expect(agreement, termsKey: "v\(e.termsVersion)", version: e.termsVersion, from: e.effectiveOn.description, event, s, connection, logger, &statements)
            case .amendmentTookEffect(let e):
                try await expect(agreement, termsKey: "amendment:\(e.amendmentId)", version: e.termsVersion, from: on, event, s, connection, logger, &statements)
            case .terminated:
                try statements.add("UPDATE \(s).obligation_agreements SET ended_on = $2::date, ended_recorded_at = $3 WHERE agreement_id = $1",
                                   agreement, on, event.recordedAt)
            case .dutyReported(let e):
                batch.filings.append(.init(agreement: agreement, reportId: e.reportId, itemId: e.itemId, period: e.period, on: on, event: event))
            case .reportVerified(let e):
                batch.outcome(.init(agreement: agreement, reportId: e.reportId, outcome: "verified", on: on, event: event, reason: ""))
            case .reportRejected(let e):
                batch.outcome(.init(agreement: agreement, reportId: e.reportId, outcome: "rejected", on: on, event: event, reason: e.reason))
            case .guidanceGiven(let e):
                batch.guidance.append(.init(agreement: agreement, guidance: e, on: on, event: event))
            default:
                return
            }
        }
        try await batch.write(schema: s, on: connection, logger: logger)
    }

    /// What a batch writes in bulk, after its other statements (which never read these rows).
    struct Batch {
        struct Filing {
            var agreement, reportId, itemId, period, on: String
            var event: RecordedEvent
        }
        struct Outcome {
            var agreement, reportId, outcome, on: String
            var event: RecordedEvent
            var reason: String
        }
        struct Guidance {
            var agreement: String
            var guidance: GuidanceGiven
            var on: String
            var event: RecordedEvent
        }
        var filings: [Filing] = []
        /// One outcome per report, the last (the decider lets a report be decided once).
        private(set) var outcomes: [Outcome] = []
        private var outcomeIndex: [String: Int] = [:]
        var guidance: [Guidance] = []

        mutating func outcome(_ outcome: Outcome) {
            let key = "\(outcome.agreement)\u{0}\(outcome.reportId)"
            if let index = outcomeIndex[key] {
                outcomes[index] = outcome
            } else {
                outcomeIndex[key] = outcomes.count
                outcomes.append(outcome)
            }
        }

        /// The filings first, then the outcomes (which may be of filings in this batch).
        func write(schema s: String, on connection: PostgresConnection, logger: Logger) async throws {
            func run(_ what: String, _ text: String, _ values: any PostgresEncodable...) async throws {
                var binds = PostgresBindings(capacity: values.count)
                for value in values { try binds.append(value) }
                do {
                    try await connection.checkedQuery(PostgresQuery(unsafeSQL: text, binds: binds), logger: logger)
                } catch where DatabaseHealth.isRefusedData(error) {
                    // Some row of the batch is at fault: the runner narrows it down to its event.
                    // Anything else (a lost connection, a cancellation) is no event's fault.
                    throw ProjectionBatchFailed(reason: "\(what): \(String(reflecting: error))")
                }
            }
            if !filings.isEmpty {
                try await run(
                    "duty reports",
                    """
                    INSERT INTO \(s).obligation_report_filings (agreement_id, report_id, item_id, period, reported_on, recorded_at, event_id, stream_version, global_position)
                    SELECT a, r, i, p, d::date, t, e, v, g
                      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::uuid[], $8::bigint[], $9::bigint[])
                           AS x(a, r, i, p, d, t, e, v, g)
                    """,
                    filings.map(\.agreement), filings.map(\.reportId), filings.map(\.itemId), filings.map(\.period), filings.map(\.on),
                    filings.map(\.event.recordedAt), filings.map(\.event.id), filings.map(\.event.streamVersion), filings.map(\.event.position.globalPosition))
            }
            if !outcomes.isEmpty {
                try await run(
                    "report outcomes",
                    """
                    UPDATE \(s).obligation_report_filings f
                       SET outcome = x.o, outcome_on = x.d::date, outcome_recorded_at = x.t, outcome_event_id = x.e, outcome_stream_version = x.v,
                           reason = NULLIF(x.reason, '')
                      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::uuid[], $7::bigint[], $8::text[]) AS x(a, r, o, d, t, e, v, reason)
                     WHERE f.agreement_id = x.a AND f.report_id = x.r
                    """,
                    outcomes.map(\.agreement), outcomes.map(\.reportId), outcomes.map(\.outcome), outcomes.map(\.on),
                    outcomes.map(\.event.recordedAt), outcomes.map(\.event.id), outcomes.map(\.event.streamVersion), outcomes.map(\.reason))
            }
            if !guidance.isEmpty {
                try await run(
                    "guidance",
                    """
                    INSERT INTO \(s).obligation_guidance (agreement_id, guidance_id, kind, item_id, summary, given_on, recorded_at, event_id, stream_version)
                    SELECT a, g, k, NULLIF(i, ''), m, d::date, t, e, v
                      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::uuid[], $9::bigint[])
                           AS x(a, g, k, i, m, d, t, e, v)
                    """,
                    guidance.map(\.agreement), guidance.map(\.guidance.guidanceId), guidance.map(\.guidance.kind.rawValue), guidance.map { $0.guidance.itemId ?? "" },
                    guidance.map(\.guidance.summary), guidance.map(\.on), guidance.map(\.event.recordedAt), guidance.map(\.event.id), guidance.map(\.event.streamVersion))
            }
        }
    }

    /// The terms of `termsKey` are in force from `from`: the reports they call for.
    func expect(
        _ agreement: String, termsKey: String, version: Int, from: String, _ event: RecordedEvent, _ s: String,
        _ connection: PostgresConnection, _ logger: Logger, _ statements: inout Statements
    ) async throws {
        let rows = try await connection.checkedQuery(
            try Statements.query(
                """
                SELECT t.terms::text, a.term_start::text, a.term_end::text FROM \(s).obligation_terms t
                  JOIN \(s).obligation_agreements a USING (agreement_id) WHERE t.agreement_id = $1 AND t.terms_key = $2
                """, agreement, termsKey),
            logger: logger)
        var found: (terms: AgreementTerms, start: LocalDate, end: LocalDate)?
        for try await (text, start, end) in rows.decode((String, String, String).self) {
            guard let terms = try? JSONDecoder().decode(AgreementTerms.self, from: Data(text.utf8)), let start = LocalDate(start), let end = LocalDate(end) else {
                throw ProjectionFailure(event: event, reason: "the terms \(termsKey) it puts in force cannot be read")
            }
            found = (terms, start, end)
        }
        guard let (terms, start, end) = found else { throw ProjectionFailure(event: event, reason: "the terms \(termsKey) it puts in force were never proposed") }
        try statements.add("INSERT INTO \(s).obligation_terms_in_force VALUES ($1, $2, $3, $4::date, $5)", agreement, version, termsKey, from, event.recordedAt)
        // Hundreds of rows per terms version: one statement for all of them.
        var (items, titles, periods, dues): ([String], [String], [String], [String]) = ([], [], [], [])
        for item in terms.items {
            for (period, due) in Self.reports(of: item, from: start, to: end) {
                items.append(item.itemId)
                titles.append(item.title)
                periods.append(period)
                dues.append(due.description)
            }
        }
        try statements.add(
            """
            INSERT INTO \(s).obligation_reports_due (agreement_id, terms_version, item_id, item_title, period, due_date)
            SELECT $1, $2, item, title, period, due::date FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS r(item, title, period, due)
            """, agreement, version, items, titles, periods, dues)
    }

    /// The reports an item calls for within the term: one per month, quarter, half year or year by
    /// its frequency (one for the year when once), each due on the first of its explicit due dates
    /// on or after the period's end, else on the period's last day — the rule the decider records.
    static func reports(of item: AssistanceItem, from start: LocalDate, to end: LocalDate) -> [(period: String, due: LocalDate)] {
        var names: [String] = []
        for year in start.year...end.year {
            switch item.frequency {
            case .monthly: names += (1...12).map { String(format: "%04d-%02d", year, $0) }
            case .quarterly: names += (1...4).map { "\(year)-Q\($0)" }
            case .halfYearly: names += (1...2).map { "\(year)-H\($0)" }
            case .annual, .once: names.append("\(year)")
            }
        }
        return names.compactMap { name in
            guard let period = ReportingPeriod(name), period.end >= start, period.start <= end else { return nil }
            return (name, item.dueDates?.first { $0 >= period.end } ?? period.end)
        }
    }
}
