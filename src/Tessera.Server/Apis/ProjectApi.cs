using Tessera.Contracts;
using Tessera.Server.Http;
using Tessera.Server.OpenApi;
using Tessera.Server.Quotas;
using Tessera.Storage;

namespace Tessera.Server.Apis;

/// <summary>Tessera's extension about the caller's project (docs/api.md section 6).</summary>
public static class ProjectApi
{
    public static RouteGroupBuilder MapProjectApi(this RouteGroupBuilder api)
    {
        var project = api.MapGroup("/project").WithTags("Project");
        project.MapGet("/usage", GetUsageAsync)
            .Describe("getProjectUsage", "Tessera's extension: what the caller's project holds (bytes, files, pending uploads) and its quotas, null for no limit.")
            .AnswersJson<ProjectUsageObject>();
        return api;
    }

    // Our extension: "the caller's project: its usage (bytes stored, files, pending uploads) and its quotas, null
    // where there is no limit."
    internal static async Task<IResult> GetUsageAsync(HttpContext http, IMetadataStore metadata, ProjectQuotas quotas)
    {
        var project = http.CallerProject();
        var usage = await metadata.ReadProjectUsageAsync(project, http.RequestAborted);
        var quota = quotas.For(project);
        return TypedResults.Ok(new ProjectUsageObject
        {
            Project = project,
            Usage = new ProjectUsageCounts { Bytes = usage.Bytes, Files = usage.Files, PendingUploads = usage.PendingUploads },
            Limits = new ProjectUsageLimits { Bytes = quota.Bytes, Files = quota.Files, PendingUploads = quota.PendingUploads },
        });
    }
}
