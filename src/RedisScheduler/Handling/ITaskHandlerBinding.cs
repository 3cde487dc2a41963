namespace RedisScheduler.Handling;

/// <summary>How <c>AddTaskHandler</c> connects a handler instance to its worker without a constructor parameter users would have to pass on.</summary>
internal interface ITaskHandlerBinding
{
    void Bind(IServiceProvider services, string optionsName);
}
