public import Foundation
public import Logging
public import PostgresNIO
public import ZhengsheDomain
import ZhengsheStore

/// What committees owe in duty reports (履职报告), read from the obligations projection: every
/// report the terms in force call for, as of a business date and as known at an instant, with
/// where it stands.
public struct ReportObligations: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Reported and verified by the government (核验通过).
        case verified
        /// Reported; the government has not verified or rejected it yet (待核验).
        case awaitingVerification
        /// Rejected and not yet refiled, its due date not passed (退回待重报).
        case rejected
        /// Due before the date asked and not reported (or rejected and not refiled) (逾期).
        case overdue
        /// Due within 30 days of the date asked (即将到期).
        case dueSoon
        /// Due later (未到期).
        case upcoming
    }

    public struct Line: Sendable, Hashable {
        public var agreement: String
        public var government: String
        public var committee: String
        public var itemId: String
        public var itemTitle: String
        public var period: String
        public var dueDate: LocalDate
        public var status: Status
        /// The report that stands for the period, if any.
        public var reportId: String?
        public var reportedOn: LocalDate?
        public var outcomeOn: LocalDate?
        /// Reported on or before its due date.
        public var onTime: Bool?
        /// For an overdue report: days past its due date; for one awaiting verification: days waiting.
        public var days: Int?
    }

    /// Days that count as "due soon".
    public static let soon = 30

    /// Which lines of a status, and how many.
    public struct Page: Sendable, Hashable {
        public var status: Status?
        public var offset: Int
        /// Every line when nil.
        public var limit: Int?

        public init(status: Status? = nil, offset: Int = 0, limit: Int? = nil) {
            self.status = status
            self.offset = offset
            self.limit = limit
        }
    }

    /// How many expected reports of the agreements of `scope` in `year` stand where, per
    /// committee, and one page of them by due date: those of `page.status` (all when nil), from
    /// `page.offset`, at most `page.limit`. One statement: the statuses are worked out once.
    public func read(_ scope: FundingLedger.Scope, year: Int, asOf: LocalDate, knownAt: Date, page: Page = Page()) async throws
        -> (counts: [String: [Status: Int]], lines: [Line])
    {
        let filter = page.status.map { "WHERE status = '\($0.rawValue)'" } ?? ""
        let limit = page.limit.map { "LIMIT \(max(0, $0))" } ?? ""
        let rows = try await client.checkedQuery(
            Self.query(scope, year: year, asOf: asOf, knownAt: knownAt, then: """
                SELECT committee, status, count(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM l GROUP BY 1, 2
                UNION ALL (
                SELECT committee, status, NULL, agreement_id, government, item_id, item_title, period, due_date::text AS due, report_id,
                       reported_on::text AS reported, outcome_on::text AS decided, days
                  FROM l \(filter)
                 ORDER BY l.due_date, l.agreement_id, l.item_id, l.period
                OFFSET \(max(0, page.offset)) \(limit))
                """),
            logger: logger)
        var counts: [String: [Status: Int]] = [:]
        var lines: [Line] = []
        for try await (committee, statusText, count, id, government, item, title, period, due, report, reported, outcomeOn, days)
            in rows.decode((String, String, Int64?, String?, String?, String?, String?, String?, String?, String?, String?, String?, Int32?).self)
        {
            guard let status = Status(rawValue: statusText) else { continue }
            if let count {
                counts[committee, default: [:]][status] = Int(count)
                continue
            }
            guard let id, let government, let item, let title, let period, let dueDate = due.flatMap(LocalDate.init) else { continue }
            let reportedOn = reported.flatMap(LocalDate.init)
            lines.append(Line(
                agreement: id, government: government, committee: committee, itemId: item, itemTitle: title, period: period, dueDate: dueDate,
                status: status, reportId: report, reportedOn: reportedOn, outcomeOn: outcomeOn.flatMap(LocalDate.init),
                onTime: reportedOn.map { $0 <= dueDate }, days: days.map(Int.init)))
        }
        // The page's order, whatever order the two parts of the answer came in.
        lines.sort { ($0.dueDate.description, $0.agreement, $0.itemId, $0.period) < ($1.dueDate.description, $1.agreement, $1.itemId, $1.period) }
        return (counts, lines)
    }

    /// An agreement's terms in force on a date, as the third party's survey asks about them.
    public struct TermsInForce: Sendable, Hashable {
        public var agreement, government, committee: String
        public var termsVersion: Int
        /// The assistance items the committee agreed to: id and title.
        public var items: [(itemId: String, title: String)]
        /// The government's commitments: id, kind and description.
        public var commitments: [(commitmentId: String, kind: String, description: String)]

        public static func == (a: Self, b: Self) -> Bool {
            a.agreement == b.agreement && a.termsVersion == b.termsVersion && a.items.map(\.itemId) == b.items.map(\.itemId)
                && a.commitments.map(\.commitmentId) == b.commitments.map(\.commitmentId)
        }
        public func hash(into hasher: inout Hasher) { hasher.combine(agreement); hasher.combine(termsVersion) }
    }

    /// The terms in force on `asOf` (the highest version) of every agreement of `scope` in `year`.
    public func termsInForce(_ scope: FundingLedger.Scope, year: Int, asOf: LocalDate, knownAt: Date) async throws -> [TermsInForce] {
        let (district, government, agreement) = scope.columns
        let d = asOf.description
        let rows = try await client.checkedQuery(
            """
            WITH a AS (
                SELECT * FROM projections.obligation_agreements
                 WHERE year = \(year) AND drafted_on <= \(d)::date AND recorded_at <= \(knownAt)
                   AND (\(district)::text IS NULL OR district = \(district))
                   AND (\(government)::text IS NULL OR government = \(government))
                   AND (\(agreement)::text IS NULL OR agreement_id = \(agreement))
            ), force AS (
                SELECT DISTINCT ON (f.agreement_id) f.agreement_id, f.terms_key, f.terms_version
                  FROM projections.obligation_terms_in_force f JOIN a USING (agreement_id)
                 WHERE f.in_force_from <= \(d)::date AND f.recorded_at <= \(knownAt)
                 ORDER BY f.agreement_id, f.terms_version DESC
            )
            SELECT a.agreement_id, a.government, a.committee, force.terms_version, t.terms::text
              FROM force JOIN a USING (agreement_id) JOIN projections.obligation_terms t USING (agreement_id, terms_key)
             ORDER BY a.agreement_id
            """,
            logger: logger)
        var result: [TermsInForce] = []
        for try await (id, government, committee, version, text) in rows.decode((String, String, String, Int, String).self) {
            guard let terms = try? JSONDecoder().decode(AgreementTerms.self, from: Data(text.utf8)) else { continue }
            result.append(TermsInForce(
                agreement: id, government: government, committee: committee, termsVersion: version,
                items: terms.items.map { ($0.itemId, $0.title) },
                commitments: terms.governmentCommitments.map { ($0.commitmentId, $0.kind.rawValue, $0.description) }))
        }
        return result
    }

    /// Every expected report of the agreements of `scope` in `year` as the relation `l`, with its
    /// status as of `asOf` as known at `knownAt`, followed by `then`, which reads `l`.
    ///
    /// A report is owed under the highest terms version in force on its due date (the first
    /// version for what fell due before the agreement took effect). The report standing for a period
    /// is the last filed by the date; its outcome counts once decided by the date.
    ///
    /// With `slice` (k, n), only the agreements of the k-th of n disjoint slices (by a hash of the
    /// id), so that n statements can share the work between the server's cores.
    static func query(_ scope: FundingLedger.Scope, year: Int, asOf: LocalDate, knownAt: Date, slice: (Int, Int)? = nil, then: String) -> PostgresQuery {
        let (district, government, agreement) = scope.columns
        let d = asOf.description
        let (k, n) = slice ?? (0, 1)
        return """
            WITH a AS (
                SELECT * FROM projections.obligation_agreements
                 WHERE year = \(year) AND drafted_on <= \(d)::date AND recorded_at <= \(knownAt)
                   AND (\(district)::text IS NULL OR district = \(district))
                   AND (\(government)::text IS NULL OR government = \(government))
                   AND (\(agreement)::text IS NULL OR agreement_id = \(agreement))
                   AND (\(n) = 1 OR abs(hashtext(agreement_id) % \(n)) = \(k))
            ), k AS (
                -- The instant asked, for what `then` adds to the query.
                SELECT \(knownAt)::timestamptz AS known_at
            ), tv AS (
                -- Version v covers the due dates from its first day (from the beginning for the lowest
                -- version) up to the earliest first day of any higher version: so each date falls to
                -- the highest version in force on it, even when a higher version took effect earlier.
                SELECT f.agreement_id, f.terms_version,
                       CASE WHEN f.terms_version = min(f.terms_version) OVER (PARTITION BY f.agreement_id) THEN '-infinity'::date
                            ELSE f.in_force_from END AS covers_from,
                       coalesce(min(f.in_force_from) OVER higher, 'infinity'::date) AS covers_until,
                       CASE WHEN a.ended_on <= \(d)::date AND a.ended_recorded_at <= \(knownAt) THEN a.ended_on END AS ended_on
                  FROM projections.obligation_terms_in_force f JOIN a USING (agreement_id)
                 WHERE f.in_force_from <= \(d)::date AND f.recorded_at <= \(knownAt)
                WINDOW higher AS (PARTITION BY f.agreement_id ORDER BY f.terms_version DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
            ), due AS (
                SELECT r.* FROM projections.obligation_reports_due r
                  JOIN tv ON tv.agreement_id = r.agreement_id AND tv.terms_version = r.terms_version
                 WHERE r.due_date >= tv.covers_from AND r.due_date < tv.covers_until AND (tv.ended_on IS NULL OR r.due_date <= tv.ended_on)
            ), l AS (
                SELECT a.agreement_id, a.government, a.committee, due.item_id, due.item_title, due.period, due.due_date,
                       f.report_id, f.reported_on, f.outcome_on, f.report_event, f.report_version, f.outcome_event, f.outcome_version, f.outcome, s.status,
                       CASE s.status WHEN 'overdue' THEN \(d)::date - due.due_date WHEN 'awaitingVerification' THEN \(d)::date - f.reported_on END AS days
                  FROM due JOIN a USING (agreement_id)
                  -- The report standing for the period: the last filed by the date (an index probe each).
                  LEFT JOIN LATERAL (
                      SELECT r.report_id, r.reported_on, r.event_id AS report_event, r.stream_version AS report_version,
                             CASE WHEN r.outcome_on <= \(d)::date AND r.outcome_recorded_at <= \(knownAt) THEN r.outcome END AS outcome,
                             CASE WHEN r.outcome_on <= \(d)::date AND r.outcome_recorded_at <= \(knownAt) THEN r.outcome_on END AS outcome_on,
                             CASE WHEN r.outcome_on <= \(d)::date AND r.outcome_recorded_at <= \(knownAt) THEN r.outcome_event_id END AS outcome_event,
                             r.outcome_stream_version AS outcome_version
                        FROM projections.obligation_report_filings r
                       WHERE r.agreement_id = due.agreement_id AND r.item_id = due.item_id AND r.period = due.period
                         AND r.reported_on <= \(d)::date AND r.recorded_at <= \(knownAt)
                       ORDER BY r.global_position DESC LIMIT 1) f ON true
                 CROSS JOIN LATERAL (SELECT CASE
                     WHEN f.outcome = 'verified' THEN 'verified'
                     WHEN f.reported_on IS NOT NULL AND f.outcome IS NULL THEN 'awaitingVerification'
                     WHEN due.due_date < \(d)::date THEN 'overdue'
                     WHEN f.outcome = 'rejected' THEN 'rejected'
                     WHEN due.due_date - \(d)::date <= \(Self.soon) THEN 'dueSoon'
                     ELSE 'upcoming' END AS status) s
            )
            \(unescaped: then)
            """
    }

    /// A commitment of the government's (政府承诺事项: guidance, training, working conditions) in
    /// the terms in force, and the guidance given that answers it.
    public struct Commitment: Sendable, Hashable {
        public var agreement, government, committee, commitmentId, kind, description: String
        public var itemId: String?
        /// Guidance given that answers it: visits and documents for guidance, training for
        /// training, for its item when it names one. Working conditions are not filed as guidance:
        /// nil.
        public var given: Int?
        public var lastGivenOn: LocalDate?
    }

    /// The government's commitments in the terms in force on `asOf` for the agreements of
    /// `scope`, each with the guidance given against it by then, and the guidance given in all.
    public func commitments(_ scope: FundingLedger.Scope, year: Int, asOf: LocalDate, knownAt: Date) async throws -> (commitments: [Commitment], guidanceGiven: [String: Int]) {
        let (district, government, agreement) = scope.columns
        let d = asOf.description
        let rows = try await client.checkedQuery(
            """
            WITH a AS (
                SELECT * FROM projections.obligation_agreements
                 WHERE year = \(year) AND drafted_on <= \(d)::date AND recorded_at <= \(knownAt)
                   AND (\(district)::text IS NULL OR district = \(district))
                   AND (\(government)::text IS NULL OR government = \(government))
                   AND (\(agreement)::text IS NULL OR agreement_id = \(agreement))
            ), force AS (
                SELECT DISTINCT ON (f.agreement_id) f.agreement_id, f.terms_key
                  FROM projections.obligation_terms_in_force f JOIN a USING (agreement_id)
                 WHERE f.in_force_from <= \(d)::date AND f.recorded_at <= \(knownAt)
                 ORDER BY f.agreement_id, f.terms_version DESC
            ), g AS (
                SELECT g.* FROM projections.obligation_guidance g JOIN a USING (agreement_id)
                 WHERE g.given_on <= \(d)::date AND g.recorded_at <= \(knownAt)
            ), c AS (
                SELECT force.agreement_id, c.value->>'commitmentId' AS id, c.value->>'kind' AS kind, c.value->>'description' AS description,
                       c.value->>'itemId' AS item_id, c.ordinality
                  FROM force JOIN projections.obligation_terms t USING (agreement_id, terms_key)
                 CROSS JOIN LATERAL jsonb_array_elements(t.terms->'governmentCommitments') WITH ORDINALITY c
            )
            SELECT a.agreement_id, a.government, a.committee, c.id, c.kind, c.description, c.item_id,
                   CASE WHEN c.kind IN ('guidance', 'training') THEN answered.n END, answered.last::text
              FROM c JOIN a USING (agreement_id)
              LEFT JOIN LATERAL (
                  SELECT count(*) AS n, max(g.given_on) AS last FROM g
                   WHERE g.agreement_id = c.agreement_id AND (c.item_id IS NULL OR g.item_id = c.item_id)
                     AND CASE c.kind WHEN 'guidance' THEN g.kind IN ('visit', 'document') WHEN 'training' THEN g.kind = 'training' ELSE false END
              ) answered ON true
             ORDER BY a.agreement_id, c.ordinality
            """,
            logger: logger)
        var commitments: [Commitment] = []
        for try await (id, government, committee, commitment, kind, description, item, given, last)
            in rows.decode((String, String, String, String, String, String, String?, Int64?, String?).self)
        {
            commitments.append(Commitment(
                agreement: id, government: government, committee: committee, commitmentId: commitment, kind: kind, description: description,
                itemId: item, given: given.map(Int.init), lastGivenOn: last.flatMap(LocalDate.init)))
        }
        let counts = try await client.checkedQuery(
            """
            SELECT a.committee, count(*) FROM projections.obligation_guidance g JOIN projections.obligation_agreements a USING (agreement_id)
             WHERE a.year = \(year) AND a.drafted_on <= \(d)::date AND a.recorded_at <= \(knownAt)
               AND (\(district)::text IS NULL OR a.district = \(district))
               AND (\(government)::text IS NULL OR a.government = \(government))
               AND (\(agreement)::text IS NULL OR a.agreement_id = \(agreement))
               AND g.given_on <= \(d)::date AND g.recorded_at <= \(knownAt)
             GROUP BY a.committee
            """,
            logger: logger)
        var given: [String: Int] = [:]
        for try await (committee, count) in counts.decode((String, Int64).self) { given[committee] = Int(count) }
        return (commitments, given)
    }
}
