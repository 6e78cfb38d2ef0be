public import Foundation
public import Logging
public import PostgresNIO
public import ZhengsheStore

/// The funding ledger (经费台账) read from the funding projection's live tables: per agreement,
/// what the terms in force promise and schedule, what fell due, what was transferred, confirmed,
/// disputed and deducted — as of a business date, as known at an instant. Every figure in fen.
public struct FundingLedger: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The figures of one agreement, or a sum of them.
    public struct Figures: Sendable, Hashable {
        /// Funding the terms in force promise (the items' funding).
        public var promised: Int64 = 0
        /// The installments of the terms in force.
        public var scheduled: Int64 = 0
        /// Installments due by the date asked.
        public var due: Int64 = 0
        public var transferred: Int64 = 0
        /// Transfers whose receipt the committee confirmed.
        public var confirmed: Int64 = 0
        /// What the committee reported missing on receipt.
        public var disputed: Int64 = 0
        /// Deductions settled against the committee (claims the government won).
        public var deductedFromCommittee: Int64 = 0
        /// Deductions settled against the government (claims the committee won).
        public var deductedFromGovernment: Int64 = 0
        public var installmentsDue = 0
        /// Installments due by the date asked that were not paid in full by their due date.
        public var installmentsLate = 0
        public var items = 0
        /// Items with funding or working conditions (费随事转).
        public var itemsFunded = 0
        public var agreements = 0

        public init(
            promised: Int64 = 0, scheduled: Int64 = 0, due: Int64 = 0, transferred: Int64 = 0, confirmed: Int64 = 0, disputed: Int64 = 0,
            deductedFromCommittee: Int64 = 0, deductedFromGovernment: Int64 = 0, installmentsDue: Int = 0, installmentsLate: Int = 0,
            items: Int = 0, itemsFunded: Int = 0, agreements: Int = 0
        ) {
            self.promised = promised
            self.scheduled = scheduled
            self.due = due
            self.transferred = transferred
            self.confirmed = confirmed
            self.disputed = disputed
            self.deductedFromCommittee = deductedFromCommittee
            self.deductedFromGovernment = deductedFromGovernment
            self.installmentsDue = installmentsDue
            self.installmentsLate = installmentsLate
            self.items = items
            self.itemsFunded = itemsFunded
            self.agreements = agreements
        }

        /// Due but not transferred.
        public var outstanding: Int64 { max(0, due - transferred) }

        public static func + (a: Figures, b: Figures) -> Figures {
            Figures(
                promised: a.promised + b.promised, scheduled: a.scheduled + b.scheduled, due: a.due + b.due, transferred: a.transferred + b.transferred,
                confirmed: a.confirmed + b.confirmed, disputed: a.disputed + b.disputed,
                deductedFromCommittee: a.deductedFromCommittee + b.deductedFromCommittee, deductedFromGovernment: a.deductedFromGovernment + b.deductedFromGovernment,
                installmentsDue: a.installmentsDue + b.installmentsDue, installmentsLate: a.installmentsLate + b.installmentsLate,
                items: a.items + b.items, itemsFunded: a.itemsFunded + b.itemsFunded, agreements: a.agreements + b.agreements)
        }
    }

    public struct Line: Sendable, Hashable {
        public var agreement: String
        public var government: String
        public var committee: String
        public var termsVersion: Int?
        public var figures: Figures
    }

    /// Which agreements: a district's, a street's, or one.
    public enum Scope: Sendable, Hashable {
        case district(String)
        case government(String)
        case agreement(String)

        /// The scope as the three columns a query filters on, nil where it does not.
        var columns: (district: String?, government: String?, agreement: String?) {
            switch self {
            case .district(let d): (d, nil, nil)
            case .government(let g): (nil, g, nil)
            case .agreement(let a): (nil, nil, a)
            }
        }
    }

    /// One line per agreement of `scope` in `year` drafted by `asOf`, as known at `knownAt`.
    public func lines(_ scope: Scope, year: Int, asOf: String, knownAt: Date) async throws -> [Line] {
        let (district, government, agreement) = scope.columns
        let rows = try await client.checkedQuery(
            """
            WITH a AS (
                SELECT * FROM projections.funding_agreements
                 WHERE year = \(year) AND drafted_on <= \(asOf)::date AND recorded_at <= \(knownAt)
                   AND (\(district)::text IS NULL OR district = \(district))
                   AND (\(government)::text IS NULL OR government = \(government))
                   AND (\(agreement)::text IS NULL OR agreement_id = \(agreement))
            ), terms AS (
                SELECT DISTINCT ON (f.agreement_id) f.agreement_id, f.terms_version, f.promised, f.items, f.items_funded
                  FROM projections.funding_terms_in_force f JOIN a USING (agreement_id)
                 WHERE f.in_force_from <= \(asOf)::date AND f.recorded_at <= \(knownAt)
                 ORDER BY f.agreement_id, f.terms_version DESC
            ), schedule AS (
                -- Paid by the due date: judged by the transfer's value date (when the money moved).
                SELECT i.agreement_id, i.installment_id, i.due_date, i.amount,
                       coalesce((SELECT sum(t.amount) FROM projections.funding_transfers t
                                  WHERE t.agreement_id = i.agreement_id AND t.installment_id = i.installment_id
                                    AND t.transferred_on <= \(asOf)::date AND t.value_date <= i.due_date AND t.recorded_at <= \(knownAt)), 0) AS paid_by_due_date
                  FROM projections.funding_installments i JOIN terms USING (agreement_id, terms_version) JOIN a USING (agreement_id)
                 -- A terminated agreement owes nothing that falls due after its end.
                 WHERE NOT (a.ended_on IS NOT NULL AND a.ended_on <= \(asOf)::date AND a.ended_recorded_at <= \(knownAt) AND i.due_date > a.ended_on)
            ), s AS (
                SELECT agreement_id, sum(amount) AS scheduled,
                       coalesce(sum(amount) FILTER (WHERE due_date <= \(asOf)::date), 0) AS due,
                       count(*) FILTER (WHERE due_date <= \(asOf)::date) AS installments_due,
                       count(*) FILTER (WHERE due_date <= \(asOf)::date AND paid_by_due_date < amount) AS installments_late
                  FROM schedule GROUP BY agreement_id
            ), t AS (
                SELECT agreement_id, sum(amount) AS transferred,
                       coalesce(sum(amount) FILTER (WHERE receipt = 'confirmed' AND receipt_on <= \(asOf)::date AND receipt_recorded_at <= \(knownAt)), 0) AS confirmed,
                       coalesce(sum(amount - received_amount) FILTER (WHERE receipt = 'discrepancy' AND receipt_on <= \(asOf)::date AND receipt_recorded_at <= \(knownAt)), 0) AS disputed
                  FROM projections.funding_transfers JOIN a USING (agreement_id)
                 WHERE transferred_on <= \(asOf)::date AND projections.funding_transfers.recorded_at <= \(knownAt)
                 GROUP BY agreement_id
            ), c AS (
                SELECT agreement_id,
                       coalesce(sum(deduction) FILTER (WHERE claimant = 'government'), 0) AS from_committee,
                       coalesce(sum(deduction) FILTER (WHERE claimant = 'committee'), 0) AS from_government
                  FROM projections.funding_claims JOIN a USING (agreement_id)
                 WHERE outcome IS NOT NULL AND outcome <> 'dismissed' AND settled_on <= \(asOf)::date AND settled_recorded_at <= \(knownAt)
                 GROUP BY agreement_id
            )
            SELECT a.agreement_id, a.government, a.committee, terms.terms_version,
                   coalesce(terms.promised, 0), coalesce(s.scheduled, 0)::bigint, coalesce(s.due, 0)::bigint, coalesce(t.transferred, 0)::bigint,
                   coalesce(t.confirmed, 0)::bigint, coalesce(t.disputed, 0)::bigint, coalesce(c.from_committee, 0)::bigint, coalesce(c.from_government, 0)::bigint,
                   coalesce(s.installments_due, 0)::integer, coalesce(s.installments_late, 0)::integer, coalesce(terms.items, 0), coalesce(terms.items_funded, 0)
              FROM a LEFT JOIN terms USING (agreement_id) LEFT JOIN s USING (agreement_id) LEFT JOIN t USING (agreement_id) LEFT JOIN c USING (agreement_id)
             ORDER BY a.agreement_id
            """,
            logger: logger)
        var lines: [Line] = []
        for try await (id, government, committee, version, promised, scheduled, due, transferred, confirmed, disputed, fromCommittee, fromGovernment, dueCount, lateCount, items, funded)
            in rows.decode((String, String, String, Int?, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int, Int, Int, Int).self)
        {
            lines.append(Line(
                agreement: id, government: government, committee: committee, termsVersion: version,
                figures: Figures(promised: promised, scheduled: scheduled, due: due, transferred: transferred, confirmed: confirmed, disputed: disputed,
                                 deductedFromCommittee: fromCommittee, deductedFromGovernment: fromGovernment, installmentsDue: dueCount,
                                 installmentsLate: lateCount, items: items, itemsFunded: funded, agreements: 1)))
        }
        return lines
    }
}
