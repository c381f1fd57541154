/// The OpenAPI 3.1 document of `/api/v1`: `openapi.json` beside this file, compiled into the
/// binary by SwiftPM (`.embedInCode`). The tests walk every operation it lists against the
/// real router and check each answer against its schema.
enum OpenAPIDocument {
    /// The document's bytes (UTF-8 JSON), as served.
    static var bytes: [UInt8] { PackageResources.openapi_json }
}
