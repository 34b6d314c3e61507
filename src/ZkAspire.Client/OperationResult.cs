// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Client;

/// <summary>
/// The result of one op of a <see cref="Transaction"/> or a <see cref="MultiRead"/>:
/// <see cref="CreateResult"/>, <see cref="DeleteResult"/>, <see cref="SetDataResult"/>,
/// <see cref="CheckResult"/>, <see cref="GetDataResult"/>, <see cref="GetChildrenResult"/> or
/// <see cref="ErrorResult"/>.
/// </summary>
public abstract record OperationResult;
