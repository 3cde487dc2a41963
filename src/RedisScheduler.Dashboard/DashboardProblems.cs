using Microsoft.AspNetCore.Http;

namespace RedisScheduler.Dashboard;

/// <summary>RFC 9457 Problem Details answers; each detail says what was wrong and how to fix it.</summary>
internal static class DashboardProblems
{
    public static IResult BadRequest(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "The request is invalid");

    public static IResult NotFound(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static IResult Forbidden(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");

    public static IResult Conflict(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Not possible in the task's state");

    public static IResult Unavailable(string detail) => Results.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Redis is unavailable");

    /// <summary>One invalid field, as RFC 9457 validation errors keyed by the field's name.</summary>
    public static IResult Invalid(string field, string message)
        => Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: message);
}
