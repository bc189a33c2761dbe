namespace OomTools.Engine.Killer;

public sealed partial class OomKiller
{
    /// <summary><c>register_oom_notifier()</c>: called on every global OOM; returns the pages it freed.</summary>
    public void RegisterOomNotifier(System.Func<long> notifier) => m.OomNotifiers.Add(notifier);

    /// <summary><c>unregister_oom_notifier()</c>: false when the notifier was not registered.</summary>
    public bool UnregisterOomNotifier(System.Func<long> notifier) => m.OomNotifiers.Remove(notifier);
}
