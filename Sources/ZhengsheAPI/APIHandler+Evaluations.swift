public import Foundation
import HTTPTypes
import OpenAPIRuntime
public import ZhengsheApplication
import ZhengsheDomain
import ZhengsheProjections
import ZhengsheReports

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
        let body = try await twoWayReport(
            district: input.path.district, year: input.path.year, version: input.query.version, format: input.query.format?.rawValue,
            accept: input.headers.accept.map(\.contentType.rawValue))
        return .ok(.init(body: body))
    }

    func getTwoWayReportByQuery(_ input: Operations.GetTwoWayReportByQuery.Input) async throws -> Operations.GetTwoWayReportByQuery.Output {
        let body = try await twoWayReport(
            district: input.query.district, year: input.query.year, version: input.query.version, format: input.query.format?.rawValue,
            accept: input.headers.accept.map(\.contentType.rawValue))
        return .ok(.init(body: body))
    }

    /// The report in the format asked for by `format`, else by the first of JSON, CSV and HTML
    /// that `Accept` names, else JSON.
    func twoWayReport(district: String, year: Int, version: Int?, format: String?, accept: [String]) async throws
        -> Components.Responses.TwoWayReport.Body
    {
        let (_, actor) = try AppRequestContext.requireActor()
        let report = try await services.twoWay.report(district: district, year: year, version: version, for: actor)
        let chosen = format ?? accept.lazy.compactMap { ["application/json": "json", "text/csv": "csv", "text/html": "html"][$0] }.first ?? "json"
        switch chosen {
        case "csv": return .csv(HTTPBody(TwoWayCSV.report(report)))
        case "html": return .html(HTTPBody(TwoWayHTML.render(report)))
        default:
            // The evidence makes the city's report tens of megabytes: written by TwoWayJSON, not
            // through Codable (see there), and sent as written.
            let skeleton = try Components.Schemas.TwoWayReport(report, evidence: false)
            try PrerenderedBody.current?.answer(TwoWayJSON.encode(report, skeleton: skeleton))
            return .json(skeleton)
        }
    }
}

/// The two-way report as the API answers it, for the command line: the same bytes as
/// `GET /v1/reports/two-way` in each format.
public enum TwoWayDocuments {
    public enum Format: String, Sendable, CaseIterable { case json, csv, html }

    public static func render(_ report: TwoWayReports.Report, as format: Format) throws -> Data {
        switch format {
        case .json: try TwoWayJSON.encode(report)
        case .csv: Data(TwoWayCSV.report(report).utf8)
        case .html: Data(TwoWayHTML.render(report).utf8)
        }
    }

    public static func frame(_ frame: TwoWayReports.Frame, as format: Format) throws -> Data {
        switch format {
        case .json: try APIJSON.encoder.encode(Components.Schemas.SurveyFrame(frame))
        case .csv, .html: Data(TwoWayCSV.frame(frame).utf8)
        }
    }
}

extension Components.Schemas.TwoWayReport {
    /// - Parameter evidence: with every component's evidence, or with none (for ``TwoWayJSON``).
    init(_ r: TwoWayReports.Report, evidence: Bool = true) throws {
        self.init(
            district: r.district.rawValue, year: r.year, status: try convert(RawText(r.status.rawValue)), evaluationVersion: r.evaluationVersion,
            scheme: try .init(converting: r.scheme), asOf: r.asOf.description, knownAt: r.knownAt, filingCutoff: r.filingCutoff?.description,
            lateFilings: r.lateFilings.map {
                .init(agreement: $0.agreement, eventId: $0.eventId.uuidString.lowercased(), streamVersion: $0.streamVersion, _type: $0.type,
                      on: $0.on.description, recordedAt: $0.recordedAt,
                      history: "/v1/agreements/\($0.agreement)/events?from=\($0.streamVersion)&limit=1")
            },
            departments: r.departments.map { .init(name: $0.name, tasks: $0.tasks, committees: $0.committees, governments: $0.governments) },
            summary: .init(r.summary(of: r.agreements)),
            streets: r.streets.map { .init(government: $0.government, summary: .init($0.summary)) },
            agreements: r.agreements.map { a in
                let s = a.settlement
                return .init(
                    agreement: a.agreement, government: a.government, committee: a.committee, history: "/v1/agreements/\(a.agreement)/events",
                    committeeScore: .init(a.committeeScore, a, evidence: evidence), governmentScore: .init(a.governmentScore, a, evidence: evidence),
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
            released: s.released, withheld: s.withheld,
            components: s.components.map {
                .init(side: $0.side == .committee ? .committee : .government, componentId: $0.componentId, title: $0.title, average: $0.average)
            })
    }
}

extension Components.Schemas.SideScore {
    init(_ s: SideScore, _ result: TwoWayReports.AgreementResult, evidence: Bool = true) {
        self.init(
            total: s.total, grade: s.grade, missing: s.missing,
            components: s.components.map {
                .init(componentId: $0.componentId, title: $0.title, weight: $0.weight, formula: $0.formula.rawValue, score: $0.score, points: $0.points,
                      basis: $0.basis, evidence: evidence ? result.evidence(s.side, $0.componentId).map(Components.Schemas.Evidence.init) : [])
            })
    }
}

extension Components.Schemas.Evidence {
    init(_ e: TwoWayReports.Evidence) {
        self.init(eventId: e.eventId.uuidString.lowercased(), stream: e.stream, streamVersion: e.streamVersion, _type: e.type, on: e.on.description,
                  counts: e.counts)
    }
}

extension APIHandler {
    func getSurveyFrame(_ input: Operations.GetSurveyFrame.Input) async throws -> Operations.GetSurveyFrame.Output {
        let (_, actor) = try AppRequestContext.requireActor()
        let frame = try await services.twoWay.frame(district: input.path.district, year: input.path.year, for: actor)
        if Self.wantsCSV(input.query.format?.rawValue, input.headers.accept.map(\.contentType.rawValue)) {
            return .ok(.init(body: .csv(HTTPBody(TwoWayCSV.frame(frame)))))
        }
        return .ok(.init(body: .json(.init(frame))))
    }
}

extension Components.Schemas.SurveyFrame {
    init(_ frame: TwoWayReports.Frame) {
        self.init(
            district: frame.district.rawValue, year: frame.year, asOf: frame.asOf.description,
            survey: .init(minimumRespondents: frame.survey.minimumRespondents, minimumOrdinaryPercent: frame.survey.minimumOrdinaryPercent),
            committees: frame.committees.map { t in
                .init(committee: t.committee, government: t.government, agreement: t.agreement, termsVersion: t.termsVersion,
                      items: t.items.map { .init(itemId: $0.itemId, title: $0.title) },
                      commitments: t.commitments.map { .init(commitmentId: $0.commitmentId, kind: $0.kind, description: $0.description) })
            })
    }
}

/// The third party's filled-in survey sheet (CSV): read whole, every bad line named, then filed
/// together so that a sheet with any refused row records nothing.
extension APIHandler {
    static let maximumSheetSize = 4 << 20

    func uploadSurveySheet(_ input: Operations.UploadSurveySheet.Input) async throws -> Operations.UploadSurveySheet.Output {
        let (context, actor) = try AppRequestContext.requireActor()
        guard case .csv(let body) = input.body else { throw Problem.badRequest(field: "", rule: "csv", "send the sheet as text/csv (请以CSV上传)") }
        let bytes: [UInt8]
        do { bytes = try await [UInt8](collecting: body, upTo: Self.maximumSheetSize) } catch {
            throw Problem(.contentTooLarge, type: "body-too-large", title: "Body too large 内容过大",
                          detail: "a survey sheet is at most 4 MiB (表格超过4MiB)", field: "", rule: "body-size")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw Problem(.unsupportedMediaType, type: "unsupported-media-type", title: "Unsupported media type 内容类型错误",
                          detail: "save the sheet as CSV UTF-8 (Excel: 另存为 “CSV UTF-8(逗号分隔)”) (请使用UTF-8编码)", field: "", rule: "utf-8")
        }
        let rows: [SurveySheet.Row]
        do { rows = try SurveySheet.read(text) } catch {
            var problem = Problem.badRequest(field: "", rule: "survey-sheet",
                                             "\(error.problems.count) problem(s) in the sheet, the first on line \(error.problems[0].line): \(error.problems[0].message) (表格有误，均未记录)")
            problem.errors = error.problems.map { .init(line: $0.line, column: $0.column, columnNumber: $0.columnNumber, rule: $0.rule, detail: $0.message) }
            throw problem
        }
        let (district, year) = (input.path.district, input.path.year)
        let outcome: FilingOutcome
        do {
            outcome = try await services.evaluations.fileSurveys(
                rows.map(\.results), occurredAt: input.query.occurredAt, idempotencyKey: input.headers.idempotencyKey, requestID: context.requestID,
                district: district, year: year, by: actor)
        } catch ApplicationError.refusedTogether(let refused) {
            var problem = Problem(ApplicationError.refusedTogether(refused))
            problem.errors = refused.map { r in
                let row = rows[r.index]
                let column = SurveySheet.column(for: r.error.field, of: row.results)
                return .init(line: row.line, column: column, columnNumber: column.flatMap(SurveySheet.columnNumber), rule: r.error.rule, detail: r.error.message)
            }
            throw problem
        }
        return .created(.init(body: .json(.init(
            stream: outcome.stream, streamVersion: outcome.streamVersion,
            recorded: zip(rows, outcome.events).map { row, event in
                .init(line: row.line, committee: row.results.committee, eventId: event.eventID.uuidString.lowercased(), streamVersion: event.streamVersion)
            },
            replayed: outcome.replayed))))
    }
}
