public import Foundation
public import Logging
public import PostgresNIO
public import ZhengsheDomain
public import ZhengsheStore

/// The district's two registers: breach claims (违约申诉台账) from filing to settlement and
/// rectification, and tasks committees refused (拒绝摊派事项), with whether they had been
/// admitted. Each step keeps its business date and its recording time.
public struct RegistersProjection: Projection {
    public init() {}

    public let name = "registers"
    public let version = 1
    public let tables = ["register_agreements", "register_claims", "register_refusals"]

    public func createTables(in s: String) -> [String] {
        [
            """
            CREATE TABLE \(s).register_agreements (
                agreement_id text PRIMARY KEY, government text NOT NULL, committee text NOT NULL, district text NOT NULL, year integer NOT NULL
            )
            """,
            """
            CREATE TABLE \(s).register_claims (
                agreement_id text NOT NULL, claim_id text NOT NULL, claimant text NOT NULL, clause_id text NOT NULL, description text NOT NULL,
                deduction_cap bigint NOT NULL, filed_on date NOT NULL, recorded_at timestamptz NOT NULL, event_id uuid NOT NULL,
                answered_on date, answered_recorded_at timestamptz,
                outcome text, deduction bigint, rectification_deadline date, settled_on date, settled_recorded_at timestamptz,
                rectified_on date, rectified_recorded_at timestamptz,
                withdrawn_on date, withdrawn_recorded_at timestamptz,
                PRIMARY KEY (agreement_id, claim_id)
            )
            """,
            """
            CREATE TABLE \(s).register_refusals (
                agreement_id text NOT NULL, refusal_id text NOT NULL, requesting_department text NOT NULL, task text NOT NULL,
                requested_on date NOT NULL, admission_id text, admitted boolean NOT NULL, refused_on date NOT NULL,
                recorded_at timestamptz NOT NULL, event_id uuid NOT NULL,
                PRIMARY KEY (agreement_id, refusal_id)
            )
            """,
        ]
    }

    public func apply(_ events: [RecordedEvent], schema s: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await applyAgreementEvents(events, on: connection, logger: logger) { fact, statements in
            let (agreement, event, on) = (fact.agreement, fact.recorded, fact.on)
            func step(_ column: String, _ claim: String) throws {
                try statements.add("UPDATE \(s).register_claims SET \(column)_on = $3::date, \(column)_recorded_at = $4 WHERE agreement_id = $1 AND claim_id = $2",
                                   agreement, claim, on, event.recordedAt)
            }
            switch fact.event {
            case .drafted(let e):
                try statements.add("INSERT INTO \(s).register_agreements VALUES ($1, $2, $3, $4, $5)",
                                   agreement, e.government, e.committee, String(e.committee.prefix(6)), e.year)
            case .breachClaimFiled(let e):
                try statements.add(
                    """
                    INSERT INTO \(s).register_claims (agreement_id, claim_id, claimant, clause_id, description, deduction_cap, filed_on, recorded_at, event_id)
                    VALUES ($1, $2, $3, $4, $5, $6, $7::date, $8, $9)
                    """, agreement, e.claimId, e.claimant.rawValue, e.clauseId, e.description, e.deductionCap ?? 0, on, event.recordedAt, event.id)
            case .breachClaimAnswered(let e): try step("answered", e.claimId)
            case .breachClaimSettled(let e):
                try statements.add(
                    """
                    UPDATE \(s).register_claims SET outcome = $3, deduction = $4, rectification_deadline = NULLIF($5, '')::date,
                           settled_on = $6::date, settled_recorded_at = $7
                     WHERE agreement_id = $1 AND claim_id = $2
                    """, agreement, e.claimId, e.outcome.rawValue, e.deduction ?? 0, e.rectificationDeadline?.description ?? "", on, event.recordedAt)
            case .rectificationReported(let e): try step("rectified", e.claimId)
            case .breachClaimWithdrawn(let e): try step("withdrawn", e.claimId)
            case .taskRefused(let e):
                try statements.add(
                    """
                    INSERT INTO \(s).register_refusals
                        (agreement_id, refusal_id, requesting_department, task, requested_on, admission_id, admitted, refused_on, recorded_at, event_id)
                    VALUES ($1, $2, $3, $4, $5::date, NULLIF($6, ''), $7, $8::date, $9, $10)
                    """, agreement, e.refusalId, e.requestingDepartment, e.task, e.requestedOn.description, e.admissionId ?? "", e.admitted ?? false,
                    on, event.recordedAt, event.id)
            default:
                return
            }
        }
    }
}

/// The registers read as of a business date, as known at an instant.
public struct Registers: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    public struct Claim: Sendable, Hashable {
        public enum State: String, Sendable, Hashable, CaseIterable { case filed, answered, settled, rectified, withdrawn }
        public var agreement, government, committee, claimId, claimant, clauseId, description: String
        public var deductionCap: Int64
        public var state: State
        public var outcome: String?
        public var deduction: Int64?
        public var rectificationDeadline: LocalDate?
        /// Who must act next: the side answering, the district settling, the side rectifying; nil when done.
        public var mustAct: String?
        /// A rectification deadline passed without rectification.
        public var rectificationOverdue: Bool
        public var filedOn: LocalDate
        public var answeredOn, settledOn, rectifiedOn, withdrawnOn: LocalDate?
    }

    public struct Refusal: Sendable, Hashable {
        public var agreement, government, committee, refusalId, requestingDepartment, task: String
        public var requestedOn: LocalDate
        public var admissionId: String?
        /// Whether the task had been admitted (准入) when it was pushed.
        public var admitted: Bool
        public var refusedOn: LocalDate
    }

    /// The claims of the agreements of `scope` in `year` filed by `asOf`, each step as it stood.
    public func claims(_ scope: FundingLedger.Scope, year: Int, asOf: LocalDate, knownAt: Date) async throws -> [Claim] {
        let (district, government, agreement) = scope.columns
        let d = asOf.description
        // A step counts when it had happened by the date and been recorded by the time asked.
        let rows = try await client.checkedQuery(
            """
            SELECT c.agreement_id, a.government, a.committee, c.claim_id, c.claimant, c.clause_id, c.description, c.deduction_cap, c.filed_on::text,
                   CASE WHEN c.answered_on <= \(d)::date AND c.answered_recorded_at <= \(knownAt) THEN c.answered_on::text END,
                   CASE WHEN c.settled_on <= \(d)::date AND c.settled_recorded_at <= \(knownAt) THEN c.settled_on::text END,
                   CASE WHEN c.rectified_on <= \(d)::date AND c.rectified_recorded_at <= \(knownAt) THEN c.rectified_on::text END,
                   CASE WHEN c.withdrawn_on <= \(d)::date AND c.withdrawn_recorded_at <= \(knownAt) THEN c.withdrawn_on::text END,
                   c.outcome, c.deduction, c.rectification_deadline::text
              FROM projections.register_claims c JOIN projections.register_agreements a USING (agreement_id)
             WHERE a.year = \(year) AND c.filed_on <= \(d)::date AND c.recorded_at <= \(knownAt)
               AND (\(district)::text IS NULL OR a.district = \(district))
               AND (\(government)::text IS NULL OR a.government = \(government))
               AND (\(agreement)::text IS NULL OR a.agreement_id = \(agreement))
             ORDER BY c.filed_on, c.agreement_id, c.claim_id
            """, logger: logger)
        var claims: [Claim] = []
        for try await (agreement, government, committee, id, claimant, clause, description, cap, filed, answered, settled, rectified, withdrawn, outcome, deduction, deadline)
            in rows.decode((String, String, String, String, String, String, String, Int64, String, String?, String?, String?, String?, String?, Int64?, String?).self)
        {
            let settledOn = settled.flatMap(LocalDate.init)
            let respondent = claimant == "government" ? "committee" : "government"
            let state: Claim.State =
                if withdrawn != nil { .withdrawn } else if rectified != nil { .rectified } else if settledOn != nil { .settled }
                else if answered != nil { .answered } else { .filed }
            let deadline = settledOn == nil ? nil : deadline.flatMap(LocalDate.init)
            let mustAct: String? =
                switch state {
                case .filed: respondent
                case .answered: "district"
                case .settled: deadline == nil ? nil : respondent
                case .rectified, .withdrawn: nil
                }
            claims.append(Claim(
                agreement: agreement, government: government, committee: committee, claimId: id, claimant: claimant, clauseId: clause, description: description,
                deductionCap: cap, state: state, outcome: settledOn == nil ? nil : outcome, deduction: settledOn == nil ? nil : deduction,
                rectificationDeadline: deadline, mustAct: mustAct, rectificationOverdue: state == .settled && (deadline.map { $0 < asOf } ?? false),
                filedOn: LocalDate(filed) ?? asOf, answeredOn: answered.flatMap(LocalDate.init), settledOn: settledOn,
                rectifiedOn: rectified.flatMap(LocalDate.init), withdrawnOn: withdrawn.flatMap(LocalDate.init)))
        }
        return claims
    }

    /// The tasks the committees of `scope` refused in `year` by `asOf`, by requesting department.
    public func refusals(_ scope: FundingLedger.Scope, year: Int, asOf: LocalDate, knownAt: Date) async throws -> [Refusal] {
        let (district, government, agreement) = scope.columns
        let rows = try await client.checkedQuery(
            """
            SELECT r.agreement_id, a.government, a.committee, r.refusal_id, r.requesting_department, r.task, r.requested_on::text,
                   r.admission_id, r.admitted, r.refused_on::text
              FROM projections.register_refusals r JOIN projections.register_agreements a USING (agreement_id)
             WHERE a.year = \(year) AND r.refused_on <= \(asOf.description)::date AND r.recorded_at <= \(knownAt)
               AND (\(district)::text IS NULL OR a.district = \(district))
               AND (\(government)::text IS NULL OR a.government = \(government))
               AND (\(agreement)::text IS NULL OR a.agreement_id = \(agreement))
             ORDER BY r.requesting_department, r.refused_on, r.agreement_id, r.refusal_id
            """, logger: logger)
        var refusals: [Refusal] = []
        for try await (agreement, government, committee, id, department, task, requested, admission, admitted, refused)
            in rows.decode((String, String, String, String, String, String, String, String?, Bool, String).self)
        {
            refusals.append(Refusal(
                agreement: agreement, government: government, committee: committee, refusalId: id, requestingDepartment: department, task: task,
                requestedOn: LocalDate(requested) ?? asOf, admissionId: admission, admitted: admitted, refusedOn: LocalDate(refused) ?? asOf))
        }
        return refusals
    }
}
