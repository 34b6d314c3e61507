// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

Console.Error.WriteLine("Under construction (issue 2).");
return 1;
