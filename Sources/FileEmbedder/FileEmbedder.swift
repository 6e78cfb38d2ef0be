import Foundation
import PackagePlugin

/// Compiles text files into the target as Swift source, so the binary carries them wherever it
/// runs: the package's `Schema/*.sql` migrations for `ZhengsheStore` (`EmbeddedSchema.files`),
/// and a target's own `openapi.yaml` (`EmbeddedOpenAPI.files`), which the service serves.
@main
struct FileEmbedder: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let document = (target as? SourceModuleTarget)?.sourceFiles.first { $0.url.lastPathComponent == "openapi.yaml" }
        let (name, files): (String, [URL])
        if let document {
            (name, files) = ("EmbeddedOpenAPI", [document.url])
        } else {
            let schema = context.package.directoryURL.appending(path: "Schema")
            (name, files) = (
                "EmbeddedSchema",
                try FileManager.default
                    .contentsOfDirectory(at: schema, includingPropertiesForKeys: nil)
                    .filter { $0.pathExtension == "sql" }
                    .sorted { $0.lastPathComponent < $1.lastPathComponent }
            )
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "\(name).swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.map(\.lastPathComponent).joined(separator: ", ")) as \(name)",
                executable: try context.tool(named: "FileEmbedderTool").url,
                arguments: [output.path, name] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            )
        ]
    }
}
