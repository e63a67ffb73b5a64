using Microsoft.OpenApi;

namespace Tessera.Server.OpenApi;

public static class OpenApiRegistration
{
    /// <summary>
    /// Registers the OpenAPI document of the endpoints mapped with <see cref="OpenApiDocumentEndpoint.DocumentName"/>
    /// as their group name (the API without its <c>/v1</c> prefix; the same endpoints below <c>/v1</c> and the
    /// operational ones stay out of it).
    /// </summary>
    public static IServiceCollection AddTesseraOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi(OpenApiDocumentEndpoint.DocumentName, options =>
        {
            options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            options.ShouldInclude = description => description.GroupName == OpenApiDocumentEndpoint.DocumentName;
            options.CreateSchemaReferenceId = OpenAiSchemaShapes.SchemaName;
            options.AddSchemaTransformer<OpenAiSchemaShapes>();
            options.AddOperationTransformer<TesseraOperationTransformer>();
            options.AddDocumentTransformer<TesseraDocumentTransformer>();
        });
        services.AddSingleton<RenderedOpenApiDocument>();
        return services;
    }
}
