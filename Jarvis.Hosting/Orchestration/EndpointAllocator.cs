using System.Net;
using System.Net.Sockets;
using Jarvis.Hosting.ApplicationModel;

namespace Jarvis.Hosting.Orchestration;

/// <summary>Gives every endpoint its loopback host and port before anything starts, so references can be injected.</summary>
internal static class EndpointAllocator
{
    public static void Allocate(IEnumerable<Resource> resources, bool randomizePorts)
    {
        foreach (var resource in resources.OfType<IResourceWithEndpoints>())
        {
            foreach (var endpoint in resource.Endpoints)
            {
                var port = !randomizePorts && endpoint.Port is { } fixedPort ? fixedPort : FreePort();

                // A process listens on the port it is given; a container listens on its target port, published on the host port.
                var targetPort = resource is ContainerResource ? endpoint.TargetPort ?? port : port;
                endpoint.Allocated = new AllocatedEndpoint(endpoint.Scheme, "localhost", port, targetPort);
            }
        }
    }

    /// <summary>True when nothing listens on the loopback port.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>A port nothing listens on now. (The OS hands out each port of its ephemeral range in turn, so it is not reused soon.)</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
