public import Foundation
public import PostgresNIO
public import ZhengsheDomain
import ZhengsheStore

/// The events behind each figure the year-end evaluation computes from the record (评分依据):
/// for every agreement, the duty reports and their verifications, the transfers against the
/// installments due, the guidance given against the commitments, the refusals of unadmitted tasks
/// and the settlements of upheld claims, each marked as counting towards the figure or not.
extension ReportObligations {
    /// What a piece of evidence speaks to: one of the formulas that read the record.
    public enum EvidenceTopic: String, Sendable, Hashable, CaseIterable {
        /// The terms in force that set what fell due (reports and installments).
        case terms
        case reportsVerifiedOnTime
        case installmentsPaidOnTime
        case commitmentsGiven
        case unadmittedTasks
        case claimsUpheldAgainstCommittee
        case claimsUpheldAgainstGovernment
    }

    /// One event behind a figure: where it is in its stream, what it is, the day it happened, and
    /// whether it counts towards the figure — a report verified that was on time, a transfer that
    /// paid its installment in full by its due date, guidance that answers a commitment, a refusal
    /// or an upheld claim that is deducted. A late report or transfer is evidence that does not
    /// count; the terms count as what fell due.
    public struct Evidence: Sendable, Hashable {
        public var eventId: UUID
        public var stream: String
        public var streamVersion: Int64
        public var type: String
        /// The business date (China time) it happened on.
        public var on: LocalDate
        public var counts: Bool

        public init(eventId: UUID, stream: String, streamVersion: Int64, type: String, on: LocalDate, counts: Bool) {
            self.eventId = eventId
            self.stream = stream
            self.streamVersion = streamVersion
            self.type = type
            self.on = on
            self.counts = counts
        }
    }

    /// What the evaluation reads of one agreement's record.
    public struct ScoringRecord: Sendable {
        /// Duty reports due by the date evaluated, and those of them verified that had been
        /// reported by their due date (the `reportsVerifiedOnTime` formula).
        public var reportsDue = 0
        public var reportsVerifiedOnTime = 0
        /// The events behind each formula, each list in stream order.
        public var evidence: [EvidenceTopic: [Evidence]] = [:]
    }

    /// The record of every agreement of `scope` in `year` as of `asOf`, as known at `knownAt`, in
    /// the same terms as ``FundingLedger/lines`` and ``Registers``, by agreement. One statement:
    /// the reports' statuses are worked out once for the counts and the evidence, and each
    /// agreement's evidence of a kind comes as one row of arrays (put in stream order here).
    ///
    /// A whole district is read as `parts` statements at once, each over a slice of its
    /// agreements, so that the database works on them with more than one core.
    public func scoringRecords(_ scope: FundingLedger.Scope, year: Int, asOf: LocalDate, knownAt: Date, parts: Int = 2) async throws
        -> [String: ScoringRecord]
    {
        let parts = scope.columns.agreement == nil ? max(1, parts) : 1
        return try await withThrowingTaskGroup(of: [String: ScoringRecord].self) { group in
            for part in 0..<parts {
                group.addTask { try await scoringRecords(scope, year: year, asOf: asOf, knownAt: knownAt, slice: (part, parts)) }
            }
            return try await group.reduce(into: [:]) { all, some in all.merge(some) { first, _ in first } }
        }
    }

    func scoringRecords(_ scope: FundingLedger.Scope, year: Int, asOf: LocalDate, knownAt: Date, slice: (Int, Int)) async throws -> [String: ScoringRecord] {
        let d = asOf.description
        let rows = try await client.checkedQuery(
            Self.query(scope, year: year, asOf: asOf, knownAt: knownAt, slice: slice, then: """
                , ft AS (
                    -- The funding terms in force, each version that had taken effect by the date.
                    SELECT f.agreement_id, f.terms_version, f.event_id,
                           f.terms_version = max(f.terms_version) OVER (PARTITION BY f.agreement_id) AS latest
                      FROM projections.funding_terms_in_force f JOIN a USING (agreement_id)
                     WHERE f.in_force_from <= '\(d)'::date AND f.recorded_at <= (SELECT known_at FROM k)
                ), inst AS (
                    SELECT i.agreement_id, i.installment_id, i.due_date,
                           coalesce((SELECT sum(t.amount) FROM projections.funding_transfers t
                                      WHERE t.agreement_id = i.agreement_id AND t.installment_id = i.installment_id
                                        AND t.transferred_on <= '\(d)'::date AND t.value_date <= i.due_date
                                        AND t.recorded_at <= (SELECT known_at FROM k)), 0) >= i.amount AS paid_on_time
                      FROM projections.funding_installments i JOIN ft ON ft.agreement_id = i.agreement_id AND ft.terms_version = i.terms_version AND ft.latest
                      JOIN a ON a.agreement_id = i.agreement_id
                     WHERE i.due_date <= '\(d)'::date
                       AND NOT (a.ended_on IS NOT NULL AND a.ended_on <= '\(d)'::date AND a.ended_recorded_at <= (SELECT known_at FROM k)
                                AND i.due_date > a.ended_on)
                ), commitment AS (
                    SELECT DISTINCT ON (f.agreement_id) f.agreement_id, f.terms_key
                      FROM projections.obligation_terms_in_force f JOIN a USING (agreement_id)
                     WHERE f.in_force_from <= '\(d)'::date AND f.recorded_at <= (SELECT known_at FROM k)
                     ORDER BY f.agreement_id, f.terms_version DESC
                ), promised AS MATERIALIZED (
                    -- Read once: the terms are parsed here, not for each guidance row that asks.
                    SELECT commitment.agreement_id, c.value->>'kind' AS kind, c.value->>'itemId' AS item_id
                      FROM commitment JOIN projections.obligation_terms t USING (agreement_id, terms_key)
                     CROSS JOIN LATERAL jsonb_array_elements(t.terms->'governmentCommitments') c
                     WHERE c.value->>'kind' IN ('guidance', 'training')
                ), x AS (
                    -- The filings that carry their place in the history, their type and their date.
                    SELECT agreement_id, 'reportsVerifiedOnTime' AS topic, status = 'verified' AND reported_on <= due_date AS counts,
                           report_event AS event_id, report_version AS version, 'DutyReported' AS type, reported_on AS on_date
                      FROM l WHERE due_date <= '\(d)'::date AND report_event IS NOT NULL
                    UNION ALL
                    SELECT agreement_id, 'reportsVerifiedOnTime', status = 'verified' AND reported_on <= due_date,
                           outcome_event, outcome_version, CASE outcome WHEN 'verified' THEN 'ReportVerified' ELSE 'ReportRejected' END, outcome_on
                      FROM l WHERE due_date <= '\(d)'::date AND outcome_event IS NOT NULL
                    UNION ALL
                    SELECT t.agreement_id, 'installmentsPaidOnTime', inst.paid_on_time AND t.value_date <= inst.due_date,
                           t.event_id, t.stream_version, 'FundsTransferred', t.transferred_on
                      FROM projections.funding_transfers t JOIN inst USING (agreement_id, installment_id)
                     WHERE t.transferred_on <= '\(d)'::date AND t.recorded_at <= (SELECT known_at FROM k)
                    UNION ALL
                    -- Guidance that answers a commitment, by the rule of ReportObligations.commitments.
                    SELECT g.agreement_id, 'commitmentsGiven', true, g.event_id, g.stream_version, 'GuidanceGiven', g.given_on
                      FROM projections.obligation_guidance g JOIN a USING (agreement_id)
                     WHERE g.given_on <= '\(d)'::date AND g.recorded_at <= (SELECT known_at FROM k)
                       AND EXISTS (SELECT 1 FROM promised p
                                    WHERE p.agreement_id = g.agreement_id AND (p.item_id IS NULL OR p.item_id = g.item_id)
                                      AND CASE p.kind WHEN 'guidance' THEN g.kind IN ('visit', 'document') ELSE g.kind = 'training' END)
                ), y AS (
                    -- The few whose place and type are read from the log: the terms, refusals, settlements.
                    SELECT agreement_id, 'terms' AS topic, true AS counts, event_id FROM ft
                    UNION ALL
                    SELECT r.agreement_id, 'unadmittedTasks', true, r.event_id
                      FROM projections.register_refusals r JOIN a USING (agreement_id)
                     WHERE NOT r.admitted AND r.refused_on <= '\(d)'::date AND r.recorded_at <= (SELECT known_at FROM k)
                    UNION ALL
                    SELECT c.agreement_id,
                           CASE c.claimant WHEN 'government' THEN 'claimsUpheldAgainstCommittee' ELSE 'claimsUpheldAgainstGovernment' END,
                           true, c.settled_event_id
                      FROM projections.funding_claims c JOIN a USING (agreement_id)
                     WHERE c.outcome IN ('upheld', 'partlyUpheld') AND c.settled_on <= '\(d)'::date
                       AND c.settled_recorded_at <= (SELECT known_at FROM k)
                ), evidence AS (
                    SELECT agreement_id, topic, counts, event_id, version, type, to_char(on_date, 'YYYYMMDD')::integer AS on_day FROM x
                    UNION ALL
                    SELECT y.agreement_id, y.topic, y.counts, e.event_id, e.stream_version, e.event_type,
                           to_char(e.occurred_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD')::integer
                      FROM y JOIN events e ON e.event_id = y.event_id
                )
                SELECT agreement_id, 'due', count(*) FILTER (WHERE due_date <= '\(d)'::date),
                       count(*) FILTER (WHERE due_date <= '\(d)'::date AND status = 'verified' AND reported_on <= due_date),
                       NULL::boolean[], NULL::uuid[], NULL::bigint[], NULL::text[], NULL::integer[]
                  FROM l GROUP BY 1
                UNION ALL
                -- In no order within a list (ordering here would sort every group again): put in order below.
                SELECT agreement_id, topic, NULL, NULL, array_agg(counts), array_agg(event_id), array_agg(version), array_agg(type), array_agg(on_day)
                  FROM evidence GROUP BY 1, 2
                """),
            logger: logger)
        var records: [String: ScoringRecord] = [:]
        for try await (agreement, topic, due, verified, counts, ids, versions, types, days)
            in rows.decode((String, String, Int64?, Int64?, [Bool]?, [UUID]?, [Int64]?, [String]?, [Int32]?).self)
        {
            if topic == "due" {
                records[agreement, default: .init()].reportsDue = Int(due ?? 0)
                records[agreement, default: .init()].reportsVerifiedOnTime = Int(verified ?? 0)
                continue
            }
            guard let topic = EvidenceTopic(rawValue: topic), let counts, let ids, let versions, let types, let days else { continue }
            // One string for the agreement's stream, shared by all its entries.
            let stream = "agreement-" + agreement
            var list: [Evidence] = []
            list.reserveCapacity(ids.count)
            for index in ids.indices {
                let day = Int(days[index])
                guard let on = LocalDate(year: day / 10000, month: day / 100 % 100, day: day % 100) else { continue }
                list.append(Evidence(eventId: ids[index], stream: stream, streamVersion: versions[index], type: types[index], on: on, counts: counts[index]))
            }
            list.sort { $0.streamVersion < $1.streamVersion }
            records[agreement, default: .init()].evidence[topic] = list
        }
        return records
    }

    /// A filing recorded after the evaluation's cut-off about the period evaluated (迟报).
    public struct LateFiling: Sendable, Hashable {
        public var agreement: String
        public var eventId: UUID
        public var streamVersion: Int64
        public var type: String
        public var on: LocalDate
        public var recordedAt: Date
    }

    /// The events on the agreements of `scope` in `year` that happened by `asOf` and were recorded
    /// after `cutoff` but by `knownAt`: what the cut-off kept out of the figures.
    public func lateFilings(_ scope: FundingLedger.Scope, year: Int, asOf: LocalDate, cutoff: Date, knownAt: Date) async throws -> [LateFiling] {
        let (district, government, agreement) = scope.columns
        let rows = try await client.checkedQuery(
            """
            SELECT a.agreement_id, e.event_id, e.stream_version, e.event_type, (e.occurred_at AT TIME ZONE 'Asia/Shanghai')::date::text, e.recorded_at
              FROM projections.obligation_agreements a
              JOIN events e ON e.stream_id = 'agreement-' || a.agreement_id
             WHERE a.year = \(year) AND a.recorded_at <= \(knownAt)
               AND (\(district)::text IS NULL OR a.district = \(district))
               AND (\(government)::text IS NULL OR a.government = \(government))
               AND (\(agreement)::text IS NULL OR a.agreement_id = \(agreement))
               AND e.recorded_at > \(cutoff) AND e.recorded_at <= \(knownAt) AND e.occurred_at < \(asOf.adding(days: 1).start)
             ORDER BY a.agreement_id, e.stream_version
            """,
            logger: logger)
        var late: [LateFiling] = []
        for try await (agreement, id, version, type, on, recordedAt) in rows.decode((String, UUID, Int64, String, String, Date).self) {
            guard let on = LocalDate(on) else { continue }
            late.append(LateFiling(agreement: agreement, eventId: id, streamVersion: version, type: type, on: on, recordedAt: recordedAt))
        }
        return late
    }
}
