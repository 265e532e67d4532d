// The notebook tests start processes that use both CPU cores; running them side by side only makes each slower.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
