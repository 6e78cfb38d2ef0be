import Foundation
import HTTPTypes
import ZhengsheDomain
import ZhengsheStore

extension Problem {
    static func unauthorized(_ detail: String) -> Problem {
        Problem(.unauthorized, type: "unauthorized", title: "Unauthorized 未授权", detail: detail)
    }

    static func notFound(_ what: String) -> Problem {
        Problem(.notFound, type: "not-found", title: "Not found 未找到", detail: "\(what) does not exist or is not yours to see (不存在或无权查看)")
    }

    static func badRequest(field: String, rule: String, _ detail: String) -> Problem {
        Problem(.badRequest, type: "invalid-filing", title: "Invalid filing 提交内容有误", detail: detail, field: field, rule: rule)
    }

    /// A rule of the agreement or the lists, refused.
    init(_ error: DomainError) {
        switch error.kind {
        case .forbidden:
            self.init(.forbidden, type: "forbidden", title: "Not yours to file 无权提交", detail: error.message, field: error.field, rule: error.rule)
        case .notFound:
            self.init(.unprocessableContent, type: "unknown-reference", title: "Unknown reference 引用不存在", detail: error.message, field: error.field, rule: error.rule)
        case .ruleBroken:
            self.init(.unprocessableContent, type: "rule-broken", title: "Rule broken 违反协议规则", detail: error.message, field: error.field, rule: error.rule)
        }
    }

    init(_ error: EventDecodingError) {
        switch error {
        case .unknownType(let type):
            self.init(.badRequest, type: "unknown-event-type", title: "Unknown event type 未知事件类型",
                      detail: "'\(type)' is not an event type of this stream", field: "/type", rule: "known-event-type")
        case .invalidData(let field, let reason):
            self.init(.badRequest, type: "invalid-filing", title: "Invalid filing 提交内容有误",
                      detail: "\(field) \(reason)", field: field, rule: "schema")
        }
    }

    static func versionConflict(stream: String, expected: String, actual: Int64, status: HTTPResponse.Status = .conflict) -> Problem {
        Problem(status, type: "version-conflict", title: "Version conflict 版本冲突",
                detail: "\(stream) is at version \(actual), not \(expected): read it again and refile (已被他人更新，请刷新后重试)",
                field: "/expectedVersion", rule: "expected-version", extensions: ["actualVersion": String(actual)])
    }

    static func idempotencyConflict(_ key: String) -> Problem {
        Problem(.conflict, type: "idempotency-conflict", title: "Idempotency key reused 幂等键重复",
                detail: "Idempotency-Key '\(key)' was used for a different filing; use a new key for a new filing",
                field: "/Idempotency-Key", rule: "idempotency")
    }
}
