import Foundation
import OpenAPIRuntime
import ZhengsheApplication
import ZhengsheDomain
import ZhengsheProjections
import ZhengsheReports

/// "What do we owe, what are we owed, what is late": a committee's, and a street's across its committees.
extension APIHandler {
    func getCommitteeObligations(_ input: Operations.GetCommitteeObligations.Input) async throws -> Operations.GetCommitteeObligations.Output {
        let q = input.query
        let code = input.path.committee
        let answer = try await obligations(
            scope: "committee", code: code, year: q.year, asOf: q.asOf, knownAt: q.knownAt, minPosition: q.minPosition, status: q.status?.rawValue,
            csv: Self.wantsCSV(q.format?.rawValue, input.headers.accept.map(\.contentType.rawValue)), offset: q.offset, limit: q.limit
        ) { query, page, actor in
            try await services.obligations.committee(code, query, page: page, for: actor)
        }
        return .ok(.init(body: answer.asCSV ? .csv(HTTPBody(answer.csv)) : .json(answer.report)))
    }

    func getGovernmentObligations(_ input: Operations.GetGovernmentObligations.Input) async throws -> Operations.GetGovernmentObligations.Output {
        let q = input.query
        let code = input.path.government
        let order = Obligations.Order(rawValue: q.sort?.rawValue ?? "committee") ?? .committee
        let answer = try await obligations(
            scope: "government", code: code, year: q.year, asOf: q.asOf, knownAt: q.knownAt, minPosition: q.minPosition, status: q.status?.rawValue,
            csv: Self.wantsCSV(q.format?.rawValue, input.headers.accept.map(\.contentType.rawValue)), offset: q.offset, limit: q.limit
        ) { query, page, actor in
            try await services.obligations.government(code, query, page: page, order: order, for: actor)
        }
        return .ok(.init(body: answer.asCSV ? .csv(HTTPBody(answer.csv)) : .json(answer.report)))
    }

    struct ObligationsAnswer {
        var report: Components.Schemas.ObligationsReport
        var csv: String
        var asCSV: Bool
    }

    func obligations(
        scope: String, code: String, year: Int, asOf: String?, knownAt: Date?, minPosition: Int64?, status: String?, csv: Bool, offset: Int?, limit: Int?,
        read: (Funding.Query, ReportObligations.Page, Actor) async throws -> Obligations.Report
    ) async throws -> ObligationsAnswer {
        let (_, actor) = try AppRequestContext.requireActor()
        let (offset, limit) = (offset ?? 0, limit ?? 100)
        let query = try Self.readQuery(year: year, asOf: asOf, knownAt: knownAt, minPosition: minPosition, offset: offset, limit: limit)
        // A page of JSON; every line of the status as CSV.
        let page = ReportObligations.Page(status: status.flatMap(ReportObligations.Status.init), offset: csv ? 0 : offset, limit: csv ? nil : limit)
        let report = try await read(query, page, actor)
        let body = Components.Schemas.ObligationsReport(
            scope: try convert(RawText(scope)), code: code, year: report.year, asOf: report.asOf.description, knownAt: report.knownAt,
            summary: .init(report.summary.counts),
            committees: scope == "government" ? report.committees.map(Components.Schemas.CommitteeObligations.init) : [],
            owed: .init(report.owed),
            commitments: try report.commitments.map { c in
                .init(agreement: c.agreement, committee: c.committee, commitmentId: c.commitmentId, kind: try convert(RawText(c.kind)),
                      description: c.description, itemId: c.itemId, given: c.given, lastGivenOn: c.lastGivenOn?.description)
            },
            guidanceGiven: report.guidanceGiven,
            claims: try report.claims.map(Components.Schemas.ClaimEntry.init),
            refusals: report.refusals.map(Components.Schemas.RefusalEntry.init),
            reports: try report.lines.map {
                .init(agreement: $0.agreement, government: $0.government, committee: $0.committee, itemId: $0.itemId, itemTitle: $0.itemTitle,
                      period: $0.period, dueDate: $0.dueDate.description, status: try convert($0.status), reportId: $0.reportId,
                      reportedOn: $0.reportedOn?.description, outcomeOn: $0.outcomeOn?.description, onTime: $0.onTime, days: $0.days)
            },
            page: .init(offset: offset, limit: limit, total: report.total))
        return ObligationsAnswer(report: body, csv: csv ? Self.csv(report.lines) : "", asCSV: csv)
    }

    /// The parameters every read-side query shares, checked.
    static func readQuery(year: Int, asOf: String?, knownAt: Date?, minPosition: Int64?, offset: Int, limit: Int) throws -> Funding.Query {
        guard offset >= 0 else { throw Problem.badRequest(field: "/offset", rule: "paging", "offset is 0 or more (起始位置)") }
        guard (1...1000).contains(limit) else { throw Problem.badRequest(field: "/limit", rule: "paging", "limit is 1 to 1000 lines per page (每页条数)") }
        var date: LocalDate?
        if let asOf {
            guard let parsed = LocalDate(asOf) else { throw Problem.badRequest(field: "/asOf", rule: "date", "asOf is a date, yyyy-MM-dd, e.g. 2026-06-30 (截至日期)") }
            date = parsed
        }
        // A date or an instant far outside the years business is kept for is a mistyped one; it
        // would also print with the local mean time offsets of centuries ago (+08:05:43).
        let years = SharedRules.plausibleYears
        if let date, !years.contains(date.year) {
            throw Problem.badRequest(field: "/asOf", rule: "plausible-date", "asOf must fall in \(years.lowerBound)–\(years.upperBound) (截至日期不合理)")
        }
        if let knownAt, !years.contains(LocalDate(knownAt).year) {
            throw Problem.badRequest(field: "/knownAt", rule: "plausible-time", "knownAt must fall in \(years.lowerBound)–\(years.upperBound) (记录时间不合理)")
        }
        if let minPosition, minPosition < 1 {
            throw Problem.badRequest(field: "/minPosition", rule: "position", "minPosition is a filing's globalPosition, 1 or more (事件位置)")
        }
        return Funding.Query(year: year, asOf: date, knownAt: knownAt, minPosition: minPosition)
    }

    static func csv(_ lines: [ReportObligations.Line]) -> String {
        var table = CSVTable(columns: [
            ("agreement", "协议"), ("government", "街道/镇"), ("committee", "居(村)委会"), ("itemId", "事项编号"), ("itemTitle", "协助事项"),
            ("period", "报告期"), ("dueDate", "截止日期"), ("status", "状态"), ("reportId", "报告编号"), ("reportedOn", "报送日期"),
            ("outcomeOn", "核验日期"), ("onTime", "按时"), ("days", "逾期或待核验天数"),
        ])
        for l in lines {
            table.append([
                l.agreement, l.government, l.committee, l.itemId, l.itemTitle, l.period, l.dueDate.description, "\(l.status.rawValue) \(l.status.chinese)",
                l.reportId ?? "", l.reportedOn?.description ?? "", l.outcomeOn?.description ?? "", l.onTime.map { $0 ? "是" : "否" } ?? "", l.days.map(String.init) ?? "",
            ])
        }
        return table.text
    }
}

extension ReportObligations.Status {
    var chinese: String {
        switch self {
        case .verified: "核验通过"
        case .awaitingVerification: "待核验"
        case .rejected: "退回待重报"
        case .overdue: "逾期"
        case .dueSoon: "即将到期"
        case .upcoming: "未到期"
        }
    }
}

extension Components.Schemas.ObligationSummary {
    init(_ counts: [ReportObligations.Status: Int]) {
        self.init(verified: counts[.verified] ?? 0, awaitingVerification: counts[.awaitingVerification] ?? 0, rejected: counts[.rejected] ?? 0,
                  overdue: counts[.overdue] ?? 0, dueSoon: counts[.dueSoon] ?? 0, upcoming: counts[.upcoming] ?? 0)
    }
}

extension Components.Schemas.CommitteeObligations {
    init(_ l: Obligations.CommitteeLine) {
        self.init(
            committee: l.committee, agreement: l.agreement, summary: .init(l.summary.counts), installmentsDue: l.funding.installmentsDue,
            installmentsLate: l.funding.installmentsLate, outstanding: l.funding.outstanding, claimsWaitingGovernment: l.claimsWaitingGovernment,
            claimsWaitingCommittee: l.claimsWaitingCommittee, claimsWaitingDistrict: l.claimsWaitingDistrict, refusals: l.refusals,
            refusalsNotAdmitted: l.refusalsNotAdmitted, guidanceGiven: l.guidanceGiven, commitmentsUnanswered: l.commitmentsUnanswered)
    }
}
