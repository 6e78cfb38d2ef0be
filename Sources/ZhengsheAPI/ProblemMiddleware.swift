import Foundation
import Hummingbird
import HTTPTypes
import Logging
import OpenAPIRuntime
import ZhengsheApplication
import ZhengsheDomain
import ZhengsheProjections

/// Turns every error into problem+json, so that every error a client sees has the contract's
/// shape: the application's refusals, the generated code's decoding failures (unwrapped from
/// `ServerError`, with the field they concern), Hummingbird's own (no route), and anything else as
/// a 500 that names the request id.
struct ProblemMiddleware: RouterMiddleware {
    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            // Answered here rather than thrown on, so that the middleware around (the request id) sees the answer.
            return try problem(for: error, request: request, context: context).response(from: request, context: context)
        }
    }

    func problem(for error: any Error, request: Request, context: AppRequestContext) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as ApplicationError:
            if case .unavailable(let reason) = error {
                context.logger.error("database unavailable", metadata: ["error": "\(reason)"])
            }
            return Problem(error)
        case let error as ServerError:
            // Failures before the handler ran are the request's; after, the service's own.
            let beforeHandler = error.operationInput == nil
            if beforeHandler, error.underlyingError is NotATimestamp, request.method == .get {
                return .badRequest(field: "/knownAt", rule: "timestamp", "knownAt must be an RFC 3339 time with its offset, e.g. 2026-07-05T18:00:00+08:00 (记录时间格式)")
            }
            if beforeHandler, error.underlyingError is NotATimestamp {
                return .badRequest(field: "/occurredAt", rule: "timestamp", "occurredAt must be an RFC 3339 time with its offset, e.g. 2026-03-31T10:00:00+08:00 (发生时间格式)")
            }
            if beforeHandler, let underlying = error.underlyingError as? DecodingError {
                return Self.problem(for: underlying, request: request)
            }
            if error.underlyingError is Problem || error.underlyingError is ApplicationError {
                return problem(for: error.underlyingError, request: request, context: context)
            }
            if beforeHandler, (400..<500).contains(error.httpStatus.code) {
                // The runtime names a missing parameter in its message: "… parameter named: year".
                let named = error.causeDescription.range(of: "named: ").map { String(error.causeDescription[$0.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" }) }
                return Problem(error.httpStatus, type: "invalid-request", title: "Invalid request 请求有误",
                               detail: "\(error.causeDescription) (请求有误)", field: named.map { "/\($0)" }, rule: named == nil ? "request" : "required")
            }
            return problem(for: error.underlyingError, request: request, context: context)
        case let error as HTTPError:
            if error.status == .notFound {
                return Problem(.notFound, type: "not-found", title: "Not found 未找到",
                               detail: "\(request.method) \(request.uri.path) is not a route of this service (无此接口); see /openapi.yaml",
                               field: "/path", rule: "known-route")
            }
            return Problem(error.status, type: "http-\(error.status.code)", title: error.status.reasonPhrase,
                           detail: error.body ?? error.status.reasonPhrase, rule: "http")
        default:
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return Problem(.internalServerError, type: "internal", title: "Internal error 内部错误",
                           detail: "The request failed inside the service; nothing was recorded. Quote request \(context.requestID) when reporting it (内部错误，请联系管理员).",
                           rule: "internal")
        }
    }

    /// A request the generated code could not read: the body (a JSON pointer from the coding path)
    /// or, when the path is empty and the request has no body, a path or query parameter.
    static func problem(for error: DecodingError, request: Request) -> Problem {
        func pointer(_ path: [any CodingKey]) -> String {
            path.map { key in
                "/" + (key.intValue.map(String.init) ?? EventJSON.escape(key.stringValue))
            }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = pointer(context.codingPath + [key])
            return .badRequest(field: field, rule: "required", "\(field) is required (必填): a filing is {\"type\", \"occurredAt\", \"data\", \"expectedVersion\"?}")
        case .typeMismatch(_, let context) where !context.codingPath.isEmpty, .valueNotFound(_, let context) where !context.codingPath.isEmpty:
            let field = pointer(context.codingPath)
            return .badRequest(field: field, rule: "type",
                               "\(field) has the wrong type: type is a string, occurredAt an RFC 3339 time, data an object, expectedVersion a whole number (类型错误)")
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            let field = pointer(context.codingPath)
            if field == "/occurredAt" {
                return .badRequest(field: field, rule: "timestamp", "occurredAt must be an RFC 3339 time with its offset, e.g. 2026-03-31T10:00:00+08:00 (发生时间格式)")
            }
            if context.debugDescription.contains("additional properties") || context.debugDescription.contains("Unexpected") {
                return .badRequest(field: field, rule: "known-field", "\(field) is not a field of a filing; check its spelling (无此字段)")
            }
            return .badRequest(field: field, rule: "schema", "\(field): \(context.debugDescription)")
        default:
            if request.method == .post {
                return Problem(.badRequest, type: "malformed-json", title: "Malformed JSON JSON格式错误",
                               detail: "the body is not a JSON object {\"type\", \"occurredAt\", \"data\"} (JSON格式错误)", field: "", rule: "json")
            }
            let field = Self.invalidParameter(request) ?? ""
            if let values = Self.documentedValues(request.uri.path).first(where: { "/\($0.name)" == field })?.values {
                return .badRequest(field: field, rule: "parameter", "\(field.dropFirst()) is one of \(values.sorted().joined(separator: ", ")) (参数取值有误)")
            }
            return .badRequest(field: field, rule: "parameter", "\(field.isEmpty ? "a parameter" : field) is missing or not of the documented form, see /openapi.yaml (参数有误)")
        }
    }

    /// The values that the query parameters taking one of a list may take on the route at `path`,
    /// in the order they are checked.
    static func documentedValues(_ path: String) -> [(name: String, values: Set<String>)] {
        let status: Set<String> = path.hasSuffix("/claims") ? Set(Registers.Claim.State.allCases.map(\.rawValue))
            : Set(ReportObligations.Status.allCases.map(\.rawValue))
        return [("status", status), ("sort", Set(Obligations.Order.allCases.map(\.rawValue))), ("format", ["json", "csv"])]
    }

    /// The first path or query parameter of this API that is not of its documented form.
    static func invalidParameter(_ request: Request) -> String? {
        let parts = request.uri.path.split(separator: "/")
        if parts.count >= 5, parts[1] == "districts", ["lists", "evaluations"].contains(parts[3]), Int(parts[4]) == nil { return "/year" }
        if request.uri.path.hasSuffix("/funding"), Int(request.uri.queryParameters.get("year") ?? "") == nil { return "/year" }
        for name in ["from", "limit", "offset", "year", "minPosition"] {
            if let value = request.uri.queryParameters.get(name), Int64(value) == nil { return "/\(name)" }
        }
        if let knownAt = request.uri.queryParameters.get("knownAt"), (try? ShanghaiTime().decode(String(knownAt))) == nil { return "/knownAt" }
        for (name, values) in Self.documentedValues(request.uri.path) {
            if let value = request.uri.queryParameters.get(name), !values.contains(String(value)) { return "/\(name)" }
        }
        return nil
    }
}
