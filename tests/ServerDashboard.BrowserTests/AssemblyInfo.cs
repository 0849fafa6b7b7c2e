// One app and one Chromium at a time: two of each at once on a 2-core machine make timings needlessly tight.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
