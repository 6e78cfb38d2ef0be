import Foundation
import OpenAPIRuntime
import ZhengsheApplication
import ZhengsheDomain
import ZhengsheProjections

/// A district's evaluation of a year (双向评估): filed through the same endpoint shape as the
/// agreements and the lists; read whole by the bureau, its evaluators and admin.
extension APIHandler {
    func fileEvaluationEvent(_ input: Operations.FileEvaluationEvent.Input) async throws -> Operations.FileEvaluationEvent.Output {
        let (context, actor) = try AppRequestContext.requireActor()
        guard case .json(let body) = input.body else { throw Problem.badRequest(field: "", rule: "json", "the body must be JSON") }
        let filing = try Self.filing(body, ifMatch: input.headers.ifMatch, idempotencyKey: input.headers.idempotencyKey, context: context)
        let (district, year) = (input.path.district, input.path.year)
        let outcome = try await services.evaluations.file(filing, district: district, year: year, by: actor)
        let (etag, location, replayed) = Self.headers(outcome, location: "/v1/districts/\(district)/evaluations/\(year)")
        return .created(.init(headers: .init(eTag: etag, location: location, idempotentReplayed: replayed), body: .json(.init(outcome))))
    }

    func getEvaluation(_ input: Operations.GetEvaluation.Input) async throws -> Operations.GetEvaluation.Output {
        let (_, actor) = try AppRequestContext.requireActor()
        let snapshot = try await services.evaluations.snapshot(district: input.path.district, year: input.path.year, for: actor)
        return .ok(.init(headers: .init(eTag: Self.etag(snapshot.version)), body: .json(try .init(snapshot))))
    }

    func listEvaluationEvents(_ input: Operations.ListEvaluationEvents.Input) async throws -> Operations.ListEvaluationEvents.Output {
        let (_, actor) = try AppRequestContext.requireActor()
        let (district, year) = (input.path.district, input.path.year)
        let (from, limit) = (input.query.from ?? 1, input.query.limit ?? 100)
        let page = try await services.evaluations.history(district: district, year: year, for: actor, from: Int64(from), limit: limit)
        return .ok(.init(body: .json(try .init(page, path: "/v1/districts/\(district)/evaluations/\(year)/events", limit: limit))))
    }
}

extension Components.Schemas.EvaluationView {
    init(_ snapshot: Evaluations.Snapshot) throws {
        let state = snapshot.state
        let committees = Set(state.committeeAssessments.keys).union(state.governmentAssessments.keys).union(state.surveys.keys).sorted()
        self.init(
            district: snapshot.id.district.rawValue, year: snapshot.id.year, version: snapshot.version, status: try convert(RawText(state.status.rawValue)),
            evaluationVersion: state.version, scheme: try state.scheme.map { try .init(converting: $0) },
            committees: try committees.map { code in
                .init(committee: code, committeeAssessed: try state.committeeAssessments[code].map { try .init(converting: $0) },
                      governmentAssessed: try state.governmentAssessments[code].map { try .init(converting: $0) },
                      survey: try state.surveys[code].map { try .init(converting: $0) })
            },
            finalizations: try state.finalizations.keys.sorted().map { try .init(converting: state.finalizations[$0]!) })
    }
}

extension APIHandler {
    func getTwoWayReport(_ input: Operations.GetTwoWayReport.Input) async throws -> Operations.GetTwoWayReport.Output {
        let (_, actor) = try AppRequestContext.requireActor()
        let report = try await services.twoWay.report(district: input.path.district, year: input.path.year, for: actor)
        if Self.wantsCSV(input.query.format?.rawValue, input.headers.accept.map(\.contentType.rawValue)) {
            return .ok(.init(body: .csv(HTTPBody(Self.csv(report)))))
        }
        return .ok(.init(body: .json(try .init(report))))
    }

    /// One line per agreement: both sides' components (the scheme's, in its order), totals and
    /// grades, and the settlement of the committee's funding, for Excel.
    static func csv(_ report: TwoWayReports.Report) -> String {
        func number(_ value: Double?) -> String { value.map { String(format: "%.2f", $0) } ?? "" }
        let scheme = report.scheme
        var columns: [(String, String)] = [("agreement", "协议"), ("government", "街道/镇"), ("committee", "居(村)委会")]
        for component in scheme.committee { columns.append(("committee.\(component.componentId)", "居委会·\(component.title)")) }
        columns += [("committeeTotal", "居委会得分"), ("committeeGrade", "居委会等次")]
        for component in scheme.government { columns.append(("government.\(component.componentId)", "街道·\(component.title)")) }
        columns += [("governmentTotal", "街道得分"), ("governmentGrade", "街道等次"), ("missing", "缺少的评分材料")]
        columns += [("promised", "承诺经费(分)"), ("releasePercent", "拨付比例(%)"), ("released", "应拨(分)"), ("withheld", "扣留(分)")]
        columns += [("deducted", "违约扣减(分)"), ("payable", "应付(分)"), ("transferred", "已拨(分)"), ("stillDue", "尚欠(分)"), ("overpaid", "多拨(分)")]
        var table = CSVTable(columns: columns)
        for a in report.agreements {
            let s = a.settlement
            let missing: [String] = a.committeeScore.missing.map { "committee.\($0)" } + a.governmentScore.missing.map { "government.\($0)" }
            var row: [String] = [a.agreement, a.government, a.committee]
            row += a.committeeScore.components.map { number($0.score) }
            row += [number(a.committeeScore.total), a.committeeScore.grade]
            row += a.governmentScore.components.map { number($0.score) }
            row += [number(a.governmentScore.total), a.governmentScore.grade, missing.joined(separator: " ")]
            let money: [Int64] = [s.promised, Int64(s.releasePercent), s.released, s.withheld, s.deducted, s.payable, s.transferred, s.stillDue, s.overpaid]
            row += money.map { String($0) }
            table.append(row)
        }
        return table.text
    }
}

extension Components.Schemas.TwoWayReport {
    init(_ r: TwoWayReports.Report) throws {
        self.init(
            district: r.district.rawValue, year: r.year, status: try convert(RawText(r.status.rawValue)), evaluationVersion: r.evaluationVersion,
            scheme: try .init(converting: r.scheme), asOf: r.asOf.description, knownAt: r.knownAt, summary: .init(r.summary(of: r.agreements)),
            streets: r.streets.map { .init(government: $0.government, summary: .init($0.summary)) },
            agreements: r.agreements.map { a in
                let s = a.settlement
                return .init(
                    agreement: a.agreement, government: a.government, committee: a.committee, committeeScore: .init(a.committeeScore),
                    governmentScore: .init(a.governmentScore),
                    settlement: .init(promised: s.promised, releasePercent: s.releasePercent, released: s.released, withheld: s.withheld, deducted: s.deducted,
                                      payable: s.payable, transferred: s.transferred, stillDue: s.stillDue, overpaid: s.overpaid))
            })
    }
}

extension Components.Schemas.TwoWaySummary {
    init(_ s: TwoWayReports.Report.Summary) {
        self.init(
            agreements: s.agreements, committeeAverage: s.committeeAverage, governmentAverage: s.governmentAverage,
            committeeGrades: .init(additionalProperties: s.committeeGrades), governmentGrades: .init(additionalProperties: s.governmentGrades),
            released: s.released, withheld: s.withheld)
    }
}

extension Components.Schemas.SideScore {
    init(_ s: SideScore) {
        self.init(
            total: s.total, grade: s.grade, missing: s.missing,
            components: s.components.map {
                .init(componentId: $0.componentId, title: $0.title, weight: $0.weight, formula: $0.formula.rawValue, score: $0.score, points: $0.points, basis: $0.basis)
            })
    }
}

extension APIHandler {
    func getSurveyFrame(_ input: Operations.GetSurveyFrame.Input) async throws -> Operations.GetSurveyFrame.Output {
        let (_, actor) = try AppRequestContext.requireActor()
        let frame = try await services.twoWay.frame(district: input.path.district, year: input.path.year, for: actor)
        if Self.wantsCSV(input.query.format?.rawValue, input.headers.accept.map(\.contentType.rawValue)) {
            return .ok(.init(body: .csv(HTTPBody(Self.csv(frame)))))
        }
        return .ok(.init(body: .json(.init(
            district: frame.district.rawValue, year: frame.year, asOf: frame.asOf.description,
            survey: .init(minimumRespondents: frame.survey.minimumRespondents, minimumOrdinaryPercent: frame.survey.minimumOrdinaryPercent),
            committees: frame.committees.map { t in
                .init(committee: t.committee, government: t.government, agreement: t.agreement, termsVersion: t.termsVersion,
                      items: t.items.map { .init(itemId: $0.itemId, title: $0.title) },
                      commitments: t.commitments.map { .init(commitmentId: $0.commitmentId, kind: $0.kind, description: $0.description) })
            }))))
    }

    /// One line per committee: what to ask about and the sample to reach, then empty columns for
    /// the third party to fill in (the respondents' make-up and the answers about each side).
    static func csv(_ frame: TwoWayReports.Frame) -> String {
        var table = CSVTable(columns: [
            ("committee", "居(村)委会"), ("government", "街道/镇"), ("agreement", "协议"), ("items", "协助事项"), ("commitments", "政府承诺事项"),
            ("minimumRespondents", "最少样本数"), ("minimumOrdinaryPercent", "普通居民最低占比(%)"),
            ("ordinaryResidents", "普通居民人数"), ("representatives", "居民代表人数"), ("others", "其他人数"),
            ("committee.satisfied", "对居委会·满意"), ("committee.basicallySatisfied", "对居委会·基本满意"), ("committee.dissatisfied", "对居委会·不满意"),
            ("government.satisfied", "对街道·满意"), ("government.basicallySatisfied", "对街道·基本满意"), ("government.dissatisfied", "对街道·不满意"),
        ])
        for t in frame.committees {
            var row = [t.committee, t.government, t.agreement, t.items.map(\.title).joined(separator: "；"), t.commitments.map(\.description).joined(separator: "；")]
            row += [String(frame.survey.minimumRespondents), String(frame.survey.minimumOrdinaryPercent)]
            row += Array(repeating: "", count: 9)
            table.append(row)
        }
        return table.text
    }
}
