namespace MnistDenoise.Notebooks.Tests.Library;

public sealed class RerunnableTests
{
    private sealed class Resource : IDisposable
    {
        public bool Disposed { get; private set; }
        public void Dispose() => Disposed = true;
    }

    [Fact]
    public void Replace_disposes_what_the_previous_run_made()
    {
        var name = Guid.NewGuid().ToString();
        var first = Rerunnable.Replace(name, () => new Resource());
        var second = Rerunnable.Replace(name, () => new Resource());
        Assert.True(first.Disposed);
        Assert.False(second.Disposed);
        Rerunnable.Release(name);
        Assert.True(second.Disposed);
        Assert.DoesNotContain(name, Rerunnable.Names);
    }

    [Fact]
    public void Keep_returns_the_earlier_object_for_equal_arguments_and_makes_a_new_one_otherwise()
    {
        var name = Guid.NewGuid().ToString();
        var made = 0;
        var a = Rerunnable.Keep(name, (reshape: false, seed: 1), () => new object[] { ++made });
        var b = Rerunnable.Keep(name, (reshape: false, seed: 1), () => new object[] { ++made });
        var c = Rerunnable.Keep(name, (reshape: true, seed: 1), () => new object[] { ++made });
        Assert.Same(a, b);
        Assert.NotSame(a, c);
        Assert.Equal(2, made);
        Rerunnable.Release(name);
    }

    [Fact]
    public void Keep_disposes_the_object_it_stops_keeping()
    {
        var name = Guid.NewGuid().ToString();
        var first = Rerunnable.Keep(name, 1, () => new Resource());
        Rerunnable.Keep(name, 2, () => new Resource());
        Assert.True(first.Disposed);
        Rerunnable.Release(name);
    }
}
