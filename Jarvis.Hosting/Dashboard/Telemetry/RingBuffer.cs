namespace Jarvis.Hosting.Dashboard.Telemetry;

/// <summary>The newest items up to a capacity: adding to a full buffer overwrites the oldest, in O(1).</summary>
internal sealed class RingBuffer<T>(int capacity)
{
    // Grows to the capacity instead of allocating it up front: a large limit costs nothing until it is used.
    private readonly List<T> _items = [];
    private int _oldest;

    public int Count => _items.Count;

    /// <summary>The item <paramref name="age"/> places back from the newest (0 is the newest).</summary>
    public T this[int age] => _items[(_oldest + _items.Count - 1 - age) % _items.Count];

    /// <summary>Adds an item; true, with the item it replaced, when the buffer was full.</summary>
    public bool Add(T item, out T? evicted)
    {
        if (_items.Count < capacity)
        {
            _items.Add(item);
            evicted = default;
            return false;
        }

        evicted = _items[_oldest];
        _items[_oldest] = item;
        _oldest = (_oldest + 1) % capacity;
        return true;
    }
}
