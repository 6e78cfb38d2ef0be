import Foundation
import OpenAPIRuntime
import ZhengsheApplication
import ZhengsheDomain
import ZhengsheProjections
import ZhengsheReports

/// The funding ledger (经费台账) at the three levels: one agreement, a street's committees, a district.
extension APIHandler {
    func getDistrictFunding(_ input: Operations.GetDistrictFunding.Input) async throws -> Operations.GetDistrictFunding.Output {
        let q = input.query
        let answer = try await funding(
            .district(input.path.district), code: input.path.district, year: q.year, asOf: q.asOf, knownAt: q.knownAt, minPosition: q.minPosition,
            csv: Self.wantsCSV(q.format?.rawValue, input.headers.accept.map(\.contentType.rawValue)), offset: q.offset, limit: q.limit)
        return .ok(.init(body: answer.map { .json($0) } ?? .csv(HTTPBody(answer.csv))))
    }

    func getGovernmentFunding(_ input: Operations.GetGovernmentFunding.Input) async throws -> Operations.GetGovernmentFunding.Output {
        let q = input.query
        let answer = try await funding(
            .government(input.path.government), code: input.path.government, year: q.year, asOf: q.asOf, knownAt: q.knownAt, minPosition: q.minPosition,
            csv: Self.wantsCSV(q.format?.rawValue, input.headers.accept.map(\.contentType.rawValue)), offset: q.offset, limit: q.limit)
        return .ok(.init(body: answer.map { .json($0) } ?? .csv(HTTPBody(answer.csv))))
    }

    func getAgreementFunding(_ input: Operations.GetAgreementFunding.Input) async throws -> Operations.GetAgreementFunding.Output {
        let q = input.query
        let answer = try await funding(
            .agreement(input.path.id), code: input.path.id, year: q.year, asOf: q.asOf, knownAt: q.knownAt, minPosition: q.minPosition,
            csv: Self.wantsCSV(q.format?.rawValue, input.headers.accept.map(\.contentType.rawValue)), offset: q.offset, limit: q.limit)
        return .ok(.init(body: answer.map { .json($0) } ?? .csv(HTTPBody(answer.csv))))
    }

    /// `?format=csv`, or `Accept` naming text/csv before JSON.
    static func wantsCSV(_ format: String?, _ accepted: [String]) -> Bool {
        if let format { return format == "csv" }
        return accepted.first { $0 == "text/csv" || $0 == "application/json" } == "text/csv"
    }

    /// The report in the contract's type, or as CSV.
    struct FundingAnswer {
        var report: Components.Schemas.FundingReport
        var csv: String
        var asCSV: Bool
        func map<T>(_ json: (Components.Schemas.FundingReport) -> T) -> T? { asCSV ? nil : json(report) }
    }

    func funding(
        _ scope: FundingLedger.Scope, code: String, year: Int, asOf: String?, knownAt: Date?, minPosition: Int64?, csv: Bool, offset: Int?, limit: Int?
    ) async throws -> FundingAnswer {
        let (_, actor) = try AppRequestContext.requireActor()
        let (offset, limit) = (offset ?? 0, limit ?? 100)
        let query = try Self.readQuery(year: year, asOf: asOf, knownAt: knownAt, minPosition: minPosition, offset: offset, limit: limit)
        let report = try await services.funding.report(scope, query, for: actor)
        let page = Array(report.lines.dropFirst(offset).prefix(limit))
        let body = Components.Schemas.FundingReport(
            scope: try convert(scope.kind), code: code, year: report.year, asOf: report.asOf.description, knownAt: report.knownAt,
            totals: .init(report.totals),
            streets: report.streets.map { .init(government: $0.government, figures: .init($0.figures)) },
            agreements: page.map { .init(agreement: $0.agreement, government: $0.government, committee: $0.committee, termsVersion: $0.termsVersion, figures: .init($0.figures)) },
            page: .init(offset: offset, limit: limit, total: report.lines.count))
        return FundingAnswer(report: body, csv: csv ? Self.csv(report) : "", asCSV: csv)
    }

    /// Every agreement line and the totals, for Excel: UTF-8 with a byte-order mark, each column
    /// headed by its field name and its Chinese term.
    static func csv(_ report: Funding.Report) -> String {
        var table = CSVTable(columns: [
            ("agreement", "协议"), ("government", "街道/镇"), ("committee", "居(村)委会"), ("termsVersion", "协议版本"),
            ("promised", "承诺经费(分)"), ("scheduled", "拨付计划(分)"), ("due", "应拨(分)"), ("transferred", "已拨(分)"),
            ("confirmed", "已确认到账(分)"), ("disputed", "到账争议(分)"), ("deductedFromCommittee", "扣减居(村)委会(分)"),
            ("deductedFromGovernment", "扣减街道/镇(分)"), ("outstanding", "未拨(分)"), ("installmentsDue", "应拨批次"),
            ("installmentsLate", "逾期批次"), ("items", "协助事项"), ("itemsFunded", "有经费或工作条件的事项"),
        ])
        func row(_ first: [String], _ f: FundingLedger.Figures) -> [String] {
            first + [f.promised, f.scheduled, f.due, f.transferred, f.confirmed, f.disputed, f.deductedFromCommittee, f.deductedFromGovernment, f.outstanding].map(String.init)
                + [f.installmentsDue, f.installmentsLate, f.items, f.itemsFunded].map(String.init)
        }
        for line in report.lines {
            table.append(row([line.agreement, line.government, line.committee, line.termsVersion.map(String.init) ?? ""], line.figures))
        }
        table.append(row(["合计 total (\(report.lines.count))", "", "", ""], report.totals))
        return table.text
    }
}

extension FundingLedger.Scope {
    /// The scope's name in the contract.
    var kind: RawText {
        switch self {
        case .district: RawText("district")
        case .government: RawText("government")
        case .agreement: RawText("agreement")
        }
    }
}

extension Components.Schemas.FundingFigures {
    init(_ f: FundingLedger.Figures) {
        self.init(
            promised: f.promised, scheduled: f.scheduled, due: f.due, transferred: f.transferred, confirmed: f.confirmed, disputed: f.disputed,
            deductedFromCommittee: f.deductedFromCommittee, deductedFromGovernment: f.deductedFromGovernment, outstanding: f.outstanding,
            installmentsDue: f.installmentsDue, installmentsLate: f.installmentsLate, items: f.items, itemsFunded: f.itemsFunded, agreements: f.agreements)
    }
}
