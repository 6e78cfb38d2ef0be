import Foundation
import Hummingbird
import HTTPTypes
import NIOCore

/// A filing is JSON of at most 1 MiB: checked before the generated code reads the body, which
/// would read any size and accept a missing content type.
struct FilingBodyMiddleware: RouterMiddleware {
    static let maximumBodySize = 1 << 20

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        guard request.method == .post, request.uri.path.hasSuffix("/events") else { return try await next(request, context) }
        let contentType = request.headers[.contentType] ?? ""
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard mediaType == "application/json" else {
            throw Problem(.unsupportedMediaType, type: "unsupported-media-type", title: "Unsupported media type 内容类型错误",
                          detail: "send the filing as Content-Type: application/json, not '\(contentType)' (请以JSON提交)", field: "/Content-Type", rule: "json-only")
        }
        var request = request
        do {
            _ = try await request.collectBody(upTo: Self.maximumBodySize)
        } catch {
            throw Problem(.contentTooLarge, type: "body-too-large", title: "Body too large 内容过大",
                          detail: "a filing is at most 1 MiB; put large evidence in a document store and refer to it (内容超过1MiB)", rule: "body-size")
        }
        return try await next(request, context)
    }
}
