import Foundation
import HTTPTypes
import ZhengsheApplication
import ZhengsheDomain

extension Problem {
    static func unauthorized(_ detail: String) -> Problem {
        Problem(.unauthorized, type: "unauthorized", title: "Unauthorized 未授权", detail: detail, field: "/Authorization", rule: "bearer-token")
    }

    static func notFound(_ what: String, field: String) -> Problem {
        Problem(.notFound, type: "not-found", title: "Not found 未找到", detail: "\(what) does not exist or is not yours to see (不存在或无权查看)",
                field: field, rule: "visible-to-you")
    }

    static func badRequest(field: String, rule: String, _ detail: String) -> Problem {
        Problem(.badRequest, type: "invalid-filing", title: "Invalid request 提交内容有误", detail: detail, field: field, rule: rule)
    }

    static let retryAfterSeconds = 5

    /// What the application refused, as an answer.
    init(_ error: ApplicationError) {
        switch error {
        case .invalid(.unknownType(let type)):
            self.init(.badRequest, type: "unknown-event-type", title: "Unknown event type 未知事件类型",
                      detail: "'\(type)' is not an event type of this stream (无此事件类型)", field: "/type", rule: "known-event-type")
        case .invalid(.invalidData(let field, let reason)):
            self.init(.badRequest, type: "invalid-filing", title: "Invalid filing 提交内容有误", detail: "\(field) \(reason)", field: field, rule: "schema")
        case .refused(let error):
            switch error.kind {
            case .forbidden:
                self.init(.forbidden, type: "forbidden", title: "Not yours to file 无权提交", detail: error.message, field: error.field, rule: error.rule)
            case .notFound:
                self.init(.unprocessableContent, type: "unknown-reference", title: "Unknown reference 引用不存在", detail: error.message, field: error.field, rule: error.rule)
            case .ruleBroken:
                self.init(.unprocessableContent, type: "rule-broken", title: "Rule broken 违反协议规则", detail: error.message, field: error.field, rule: error.rule)
            }
        case .notFound(let what, let field):
            self = .notFound(what, field: field)
        case .badRequest(let field, let rule, let message):
            self = .badRequest(field: field, rule: rule, message)
        case .versionConflict(let stream, let expected, let actual, let pinnedBy):
            self.init(pinnedBy == .precondition ? .preconditionFailed : .conflict, type: "version-conflict", title: "Version conflict 版本冲突",
                      detail: "\(stream) is at version \(actual), not \(expected): read it again and refile (已被他人更新，请刷新后重试)",
                      field: pinnedBy == .precondition ? "/If-Match" : "/expectedVersion", rule: "expected-version", actualVersion: actual)
        case .keptChanging(let stream):
            self.init(.conflict, type: "version-conflict", title: "Version conflict 版本冲突",
                      detail: "\(stream) kept changing while this filing was decided; nothing was recorded, retry it (请重试)",
                      rule: "expected-version")
        case .idempotencyConflict(let key):
            self.init(.conflict, type: "idempotency-conflict", title: "Idempotency key reused 幂等键重复",
                      detail: "Idempotency-Key '\(key)' was used for a different filing; use a new key for a new filing (幂等键已用于其他提交)",
                      field: "/Idempotency-Key", rule: "idempotency")
        case .unauthenticated(let message):
            self = .unauthorized(message)
        case .unavailable:
            self.init(.serviceUnavailable, type: "database-unavailable", title: "Service unavailable 服务暂不可用",
                      detail: "The database cannot be reached; nothing was recorded. Retry shortly with the same Idempotency-Key (请稍后重试).",
                      rule: "database-available", retryAfterSeconds: Self.retryAfterSeconds)
        case .busy(let stream):
            self.init(.serviceUnavailable, type: "log-busy", title: "Busy 系统繁忙",
                      detail: "\(stream): the filings before this one took too long, and it was not recorded; retry shortly with the same Idempotency-Key (系统繁忙，请稍后重试)",
                      rule: "filing-turn", retryAfterSeconds: 1)
        case .noAnswer(let seconds):
            self.init(.serviceUnavailable, type: "database-unavailable", title: "Service unavailable 服务暂不可用",
                      detail: "The database did not answer within \(seconds) s; the filing may or may not have been recorded. Retry with the same Idempotency-Key: it is recorded at most once (请用相同幂等键重试)",
                      rule: "database-answer", retryAfterSeconds: Self.retryAfterSeconds)
        case .readSideBuilding:
            self.init(.serviceUnavailable, type: "read-side-building", title: "Being prepared 数据准备中",
                      detail: "the read side is being built from the log for the first time; ask again shortly (首次生成中，请稍后再查)",
                      rule: "projection-lag", retryAfterSeconds: 5)
        case .refusedTogether(let refused):
            let first = refused.first
            let forbidden = first?.error.kind == .forbidden
            self.init(forbidden ? .forbidden : .unprocessableContent, type: forbidden ? "forbidden" : "rule-broken",
                      title: forbidden ? "Not yours to file 无权提交" : "Rule broken 违反协议规则",
                      detail: "\(refused.count) of the filings made together are refused, the first: \(first?.error.message ?? "") (均未记录)",
                      field: first?.error.field, rule: first?.error.rule ?? "rule-broken")
        case .projectionLag(let projection, let position):
            self.init(.serviceUnavailable, type: "projection-lag", title: "Not yet reflected 数据尚未更新",
                      detail: "the \(projection) view has not yet reached position \(position); ask again in a moment (请稍后再查)",
                      field: "/minPosition", rule: "projection-lag", retryAfterSeconds: 1)
        }
    }
}
