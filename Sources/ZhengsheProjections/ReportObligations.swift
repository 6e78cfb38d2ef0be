public import Foundation
public import Logging
public import PostgresNIO
public import ZhengsheDomain

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

    /// Every expected report of the agreements of `scope` in `year`, by due date.
    public func lines(_ scope: FundingLedger.Scope, year: Int, asOf: LocalDate, knownAt: Date) async throws -> [Line] {
        let (district, government, agreement): (String?, String?, String?) =
            switch scope {
            case .district(let d): (d, nil, nil)
            case .government(let g): (nil, g, nil)
            case .agreement(let a): (nil, nil, a)
            }
        let d = asOf.description
        let rows = try await client.query(
            """
            WITH a AS (
                SELECT * FROM projections.obligation_agreements
                 WHERE year = \(year) AND drafted_on <= \(d)::date AND recorded_at <= \(knownAt)
                   AND (\(district)::text IS NULL OR district = \(district))
                   AND (\(government)::text IS NULL OR government = \(government))
                   AND (\(agreement)::text IS NULL OR agreement_id = \(agreement))
            ), tv AS (
                SELECT f.agreement_id, f.terms_version, f.in_force_from
                  FROM projections.obligation_terms_in_force f JOIN a USING (agreement_id)
                 WHERE f.in_force_from <= \(d)::date AND f.recorded_at <= \(knownAt)
            ), due AS (
                -- Each report is owed under the highest version in force on its due date (the first
                -- version for what fell due before the agreement took effect).
                SELECT r.* FROM projections.obligation_reports_due r JOIN a USING (agreement_id)
                 WHERE r.terms_version = coalesce(
                           (SELECT max(tv.terms_version) FROM tv WHERE tv.agreement_id = r.agreement_id AND tv.in_force_from <= r.due_date),
                           (SELECT min(tv.terms_version) FROM tv WHERE tv.agreement_id = r.agreement_id))
                   AND NOT (a.ended_on IS NOT NULL AND a.ended_on <= \(d)::date AND a.ended_recorded_at <= \(knownAt) AND r.due_date > a.ended_on)
            ), f AS (
                SELECT DISTINCT ON (r.agreement_id, r.item_id, r.period) r.agreement_id, r.item_id, r.period, r.report_id, r.reported_on,
                       CASE WHEN r.outcome_on <= \(d)::date AND r.outcome_recorded_at <= \(knownAt) THEN r.outcome END AS outcome,
                       CASE WHEN r.outcome_on <= \(d)::date AND r.outcome_recorded_at <= \(knownAt) THEN r.outcome_on END AS outcome_on
                  FROM projections.obligation_report_filings r JOIN a USING (agreement_id)
                 WHERE r.reported_on <= \(d)::date AND r.recorded_at <= \(knownAt)
                 ORDER BY r.agreement_id, r.item_id, r.period, r.global_position DESC
            )
            SELECT a.agreement_id, a.government, a.committee, due.item_id, due.item_title, due.period, due.due_date::text,
                   f.report_id, f.reported_on::text, f.outcome, f.outcome_on::text
              FROM due JOIN a USING (agreement_id)
              LEFT JOIN f USING (agreement_id, item_id, period)
             ORDER BY due.due_date, a.agreement_id, due.item_id, due.period
            """,
            logger: logger)
        var lines: [Line] = []
        for try await (id, government, committee, item, title, period, due, report, reported, outcome, outcomeOn)
            in rows.decode((String, String, String, String, String, String, String, String?, String?, String?, String?).self)
        {
            guard let dueDate = LocalDate(due) else { continue }
            let reportedOn = reported.flatMap(LocalDate.init)
            var line = Line(agreement: id, government: government, committee: committee, itemId: item, itemTitle: title, period: period,
                            dueDate: dueDate, status: .upcoming, reportId: report, reportedOn: reportedOn, outcomeOn: outcomeOn.flatMap(LocalDate.init),
                            onTime: reportedOn.map { $0 <= dueDate })
            switch (reportedOn, outcome) {
            case (_, "verified"?):
                line.status = .verified
            case (let reportedOn?, nil):
                line.status = .awaitingVerification
                line.days = Self.days(from: reportedOn, to: asOf)
            default:
                // Not reported, or rejected and not refiled.
                if dueDate < asOf {
                    line.status = .overdue
                    line.days = Self.days(from: dueDate, to: asOf)
                } else if outcome == "rejected" {
                    line.status = .rejected
                } else {
                    line.status = Self.days(from: asOf, to: dueDate) <= Self.soon ? .dueSoon : .upcoming
                }
            }
            lines.append(line)
        }
        return lines
    }

    static func days(from a: LocalDate, to b: LocalDate) -> Int {
        Int((b.start.timeIntervalSince(a.start) / 86_400).rounded())
    }
}
