import Foundation
import Hummingbird
import HTTPTypes
import NIOCore

/// An RFC 9457 problem detail, sent as `application/problem+json` in the contract's `Problem`
/// shape (the generated type encodes it, so it cannot drift from the document).
///
/// `rule` names the rule broken; `field` is a JSON pointer to what was wrong (a body field, or
/// `/Header-Name`, `/pathParameter`, `/queryParameter`); the message says, with the Chinese term,
/// what a clerk can do about it.
struct Problem: Error, Sendable {
    var status: HTTPResponse.Status
    var type: String
    var title: String
    var detail: String
    var field: String?
    var rule: String
    var actualVersion: Int64?
    var retryAfterSeconds: Int?
    /// For an uploaded sheet: every line and column at fault.
    var errors: [Components.Schemas.Problem.ErrorsPayloadPayload] = []

    init(_ status: HTTPResponse.Status, type: String, title: String, detail: String, field: String? = nil, rule: String,
         actualVersion: Int64? = nil, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.field = field
        self.rule = rule
        self.actualVersion = actualVersion
        self.retryAfterSeconds = retryAfterSeconds
    }

    var body: Components.Schemas.Problem {
        .init(_type: "/problems/\(type)", title: title, status: Int(status.code), detail: detail, field: field, rule: rule,
              actualVersion: actualVersion, retryAfterSeconds: retryAfterSeconds, errors: errors.isEmpty ? nil : errors)
    }
}

extension Problem: HTTPResponseError {
    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try APIJSON.encoder.encode(body))))
    }
}
