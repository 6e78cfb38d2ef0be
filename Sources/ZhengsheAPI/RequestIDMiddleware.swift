import Foundation
import Hummingbird
import HTTPTypes
import Logging

/// Gives every request an id (the client's `X-Request-Id` if sane) and echoes it on the response.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    init() {}

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let given = request.headers[.requestID], given.utf8.count <= 128, given.allSatisfy({ $0.isASCII && !$0.isWhitespace }) {
            context.requestID = given
        } else {
            context.requestID = UUID().uuidString.lowercased()
        }
        context.logger[metadataKey: "request"] = "\(context.requestID)"
        var response = try await next(request, context)
        response.headers[.requestID] = context.requestID
        return response
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
}
