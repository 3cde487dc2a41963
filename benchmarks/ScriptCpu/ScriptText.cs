// Writes the text RedisScheduler sends for schedule.lua (prelude included, as composed by the given
// build) to a file, for script_cpu.py. Run: dotnet run ScriptText.cs -- <RedisScheduler.dll> <out.lua>
#:property PublishAot=false
using System.Reflection;

var assembly = Assembly.LoadFrom(args[0]);
var scripts = assembly.GetType("RedisScheduler.Storage.SchedulerScripts", throwOnError: true)!;
var instance = scripts.GetField("Instance")!.GetValue(null)!;
var schedule = scripts.GetProperty("Schedule")!.GetValue(instance)!;
var text = (string)schedule.GetType().GetProperty("Text")!.GetValue(schedule)!;
var keys = schedule.GetType().GetProperty("KeyIndices")?.GetValue(schedule) as int[];
File.WriteAllText(args[1], text);
// The keys the script receives, as indices into the twenty (all of them for builds before KeyIndices).
Console.WriteLine(keys is null ? "all" : string.Join(',', keys));
