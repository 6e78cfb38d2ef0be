import Foundation
import Hummingbird
import HTTPTypes
import NIOCore

/// The API contract, `openapi.yaml` beside this file, served at `GET /openapi.yaml`.
public enum OpenAPIDocument {
    /// The document's text, read once from the module's resources.
    public static let text: String = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
              let text = try? String(contentsOf: url, encoding: .utf8)
        else { return "" }
        return text
    }()

    static func addRoutes(to router: Router<AppRequestContext>) {
        router.get("openapi.yaml") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
