/// The API contract, `openapi.yaml` beside this file, compiled into the binary by the FileEmbedder
/// plugin (an installed binary needs no resource bundle) and served at `GET /openapi.yaml`.
public enum OpenAPIDocument {
    public static let text: String = EmbeddedOpenAPI.files.first?.text ?? ""
}
