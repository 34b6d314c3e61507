// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

return 0;
